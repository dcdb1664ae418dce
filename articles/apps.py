from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self) -> None:
        from members.models import Tier

        from . import revisions
        from .models import Article, Byline, Contributor, Topic

        # Like the page cache's invalidation, this must follow every save however it is
        # made (admin inlines, the shell, workflows), so it listens rather than is called.
        post_save.connect(revisions.contributor_changed, sender=Contributor)
        post_save.connect(revisions.byline_changed, sender=Byline)
        post_delete.connect(revisions.byline_changed, sender=Byline)
        post_save.connect(revisions.topic_changed, sender=Topic)
        pre_delete.connect(revisions.topic_changed, sender=Topic)  # before its links go
        post_save.connect(revisions.tier_changed, sender=Tier)
        m2m_changed.connect(revisions.topics_changed, sender=Article.topics.through)
