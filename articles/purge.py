"""An optional hook for an HTTP cache in front (a CDN): when a post changes, the worker
sends the addresses that show it to PURGE_URL, so the cache drops them at once rather than
after SHARED_CACHE_SECONDS. The body is {"files": [address, ...]}, Cloudflare's own
(its zone's purge_cache endpoint, PURGE_TOKEN an API token); other caches take it through
a small relay. A purge that fails is logged: the cache lets the pages go after
SHARED_CACHE_SECONDS all the same."""

import json
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction

from outbox.tasks import task

from .metadata import absolute
from .models import BYLINES, Article

logger = logging.getLogger(__name__)
PURGE_TIMEOUT = 10  # seconds


def addresses(article: Article) -> list[str]:
    """Every page that shows the post: its own, the lists it is on, the feed, the sitemap."""
    pages = [article.get_absolute_url(), "/", "/feed/", "/sitemap.xml", "/topics/"]
    pages += [topic.get_absolute_url() for topic in article.topics.all()]
    pages += [byline.contributor.get_absolute_url() for byline in article.bylines.all()]
    return [absolute(page) for page in dict.fromkeys(pages)]


@task()
def purge(urls: list[str]) -> int:
    request = urllib.request.Request(  # noqa: S310 (an address staff set, http or https)
        settings.PURGE_URL,
        data=json.dumps({"files": urls}).encode(),
        headers={"Content-Type": "application/json"}
        | ({"Authorization": f"Bearer {settings.PURGE_TOKEN}"} if settings.PURGE_TOKEN else {}),
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=PURGE_TIMEOUT) as response:  # noqa: S310
            return response.status
    except (urllib.error.URLError, TimeoutError) as error:
        logger.warning("The cache in front was not purged of %d addresses: %s", len(urls), error)
        return 0


def post_changed(instance: Article, **_signal_arguments) -> None:
    if settings.PURGE_URL:
        purge_once_committed(addresses(instance))


def posts_updated(sender, pks, **_signal_arguments) -> None:
    """Posts written in bulk (publication/signals.py): made members-only, say. One purge
    for them all."""
    if settings.PURGE_URL:
        posts = Article.objects.filter(pk__in=pks).prefetch_related("topics", BYLINES)
        purge_once_committed(list(dict.fromkeys(url for post in posts for url in addresses(post))))


def purge_once_committed(urls: list[str]) -> None:
    transaction.on_commit(lambda: purge.enqueue(urls))
