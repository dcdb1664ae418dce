from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


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
        post_migrate.connect(name_the_site, dispatch_uid="publication-site")


def name_the_site(using: str = "default", **_signal) -> None:
    """The sites framework's one Site (flat pages and redirects hang on it) is this site:
    its domain is SITE_URL's, so the feed and the sitemap link to the public address, as
    every email does, and never to whatever Host a request claimed."""
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.contrib.sites.models import Site

    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": urlsplit(settings.SITE_URL).netloc, "name": settings.PUBLICATION_NAME},
    )
    Site.objects.clear_cache()
