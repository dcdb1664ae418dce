from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self) -> None:
        """Invalidation, wired here: it must follow every write however it is made (admin
        inlines, the shell, workflows, bulk updates), so it listens rather than is called."""
        from members.models import Tier
        from publication.pagecache import invalidate
        from publication.signals import rows_updated

        from . import purge, revisions
        from .models import Article, Byline, Contributor, PullQuote, Topic

        # A post's revision (updated_at) moves whenever anything its page shows changes:
        # fragments, cards and letters are cached under it.
        post_save.connect(revisions.contributor_changed, sender=Contributor)
        post_save.connect(revisions.byline_changed, sender=Byline)
        post_delete.connect(revisions.byline_changed, sender=Byline)
        post_save.connect(revisions.topic_changed, sender=Topic)
        pre_delete.connect(revisions.topic_changed, sender=Topic)  # before its links go
        post_save.connect(revisions.tier_changed, sender=Tier)
        m2m_changed.connect(revisions.topics_changed, sender=Article.topics.through)
        for model in (Contributor, Topic, Byline, Tier):
            rows_updated.connect(revisions.rows_updated, sender=model)

        # The page cache and cached answers move on to a new version (a bulk write to
        # anything else shown touches its posts, an update of Article).
        for model in (Article, Byline, Contributor, PullQuote, Topic):
            post_save.connect(invalidate, sender=model, dispatch_uid=f"pages-save-{model}")
            post_delete.connect(invalidate, sender=model, dispatch_uid=f"pages-delete-{model}")
        rows_updated.connect(invalidate, sender=Article, dispatch_uid="pages-update-article")
        m2m_changed.connect(invalidate, sender=Article.topics.through, dispatch_uid="pages-m2m")

        # A cache in front is told too, where PURGE_URL names how (articles/purge.py).
        post_save.connect(purge.post_changed, sender=Article, dispatch_uid="purge-save")
        post_delete.connect(purge.post_changed, sender=Article, dispatch_uid="purge-delete")
        rows_updated.connect(purge.posts_updated, sender=Article, dispatch_uid="purge-update")
