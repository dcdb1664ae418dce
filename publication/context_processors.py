from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

# The addresses the layout and the gate link to on every page.
SITE_URL_NAMES = {
    "home": "articles:home",
    "search": "articles:search",
    "feed": "articles:feed",
    "topics": "articles:topic-list",
    "contributors": "articles:contributor-list",
    "packages": "members:packages",
    "apply": "members:apply",
    "account": "members:account",
    "leave": "members:leave",
    "subscribe": "letters:subscribe",
    "login": "account_login",
    "logout": "account_logout",
    "change_email": "account_email",
    "change_password": "account_change_password",
}


def publication(request: HttpRequest) -> dict:
    return {
        "publication_name": settings.PUBLICATION_NAME,
        # The public address canonical links are built on, never the request's Host.
        "site_url": settings.SITE_URL,
        "site_urls": site_urls(),
        "static_urls": static_urls(),
        # The footer's year ({% now "Y" %} formats through the locale machinery on every page).
        "year": timezone.localdate().year,
    }


@cache
def site_urls() -> dict[str, str]:
    """Reversed once per process: {% url %} and reverse() resolve on every use, and the
    layout links to these on every page. The URLconf does not change while a process runs."""
    return {key: reverse(name) for key, name in SITE_URL_NAMES.items()}


@cache
def static_urls() -> dict[str, str]:
    """The layout's icon and stylesheet, looked up once per process: {% static %} asks the
    storage on every use. The storage does not change while a process runs, but in tests
    (forget_static_urls)."""
    return {"favicon": static("favicon.svg"), "stylesheet": static("css/site.css")}


@receiver(setting_changed)
def forget_static_urls(setting: str, **_signal_arguments) -> None:
    if setting in {"STATIC_URL", "STORAGES"}:
        static_urls.cache_clear()
