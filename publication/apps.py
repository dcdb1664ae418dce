from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class PublicationConfig(AppConfig):
    name = "publication"
    verbose_name = "Publication"

    def ready(self) -> None:
        from articles.models import Article, Byline, Contributor, PullQuote, Topic
        from members.models import Tier

        from .pagecache import invalidate

        # Invalidation must follow every save, however it is made (admin, shell, workflows):
        # the one place signals earn their keep here.
        for model in (Article, Byline, Contributor, PullQuote, Topic, Tier):
            post_save.connect(invalidate, sender=model, dispatch_uid=f"pagecache-save-{model}")
            post_delete.connect(invalidate, sender=model, dispatch_uid=f"pagecache-del-{model}")
        m2m_changed.connect(invalidate, sender=Article.topics.through, dispatch_uid="pagecache-m2m")
