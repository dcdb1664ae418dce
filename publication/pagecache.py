"""Whole pages for visitors, kept in the shared cache.

A visitor with no cookies at all sees what every such visitor sees, so the page
is stored once and served to all of them without touching the database. Only
with a shared cache (Redis): an invalidation must reach every worker. Any change
to what pages show (a post, byline, contributor, pull quote, topic or tier)
moves the cache on to a new generation, so no stale page is served again.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_cache_key, learn_cache_key

GENERATION_KEY = "pagecache:generation"


def invalidate(**_signal_arguments) -> None:
    if settings.PAGE_CACHE:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # never set, or evicted: any new value starts afresh
            cache.set(GENERATION_KEY, 2, timeout=None)


class VisitorPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.PAGE_CACHE or request.method not in {"GET", "HEAD"} or request.COOKIES:
            return self.get_response(request)
        prefix = f"pages.{cache.get_or_set(GENERATION_KEY, 1, timeout=None)}"
        key = get_cache_key(request, prefix, "GET", cache=cache)
        if key is not None and (cached := cache.get(key)) is not None:
            return cached
        response = self.get_response(request)  # rendered by now, template responses too
        if self.shareable(request, response):
            key = learn_cache_key(request, response, settings.PAGE_CACHE_SECONDS, prefix, cache)
            cache.set(key, response, settings.PAGE_CACHE_SECONDS)
        return response

    @staticmethod
    def shareable(request: HttpRequest, response: HttpResponse) -> bool:
        """The same for every visitor: a plain 200 that sets no cookie and is not private."""
        return (
            request.method == "GET"
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in response.get("Cache-Control", "")
            and "no-cache" not in response.get("Cache-Control", "")
        )
