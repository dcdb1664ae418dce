from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PublicationConfig(AppConfig):
    name = "publication"
    verbose_name = "Publication"

    def ready(self) -> None:
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
