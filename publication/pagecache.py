"""Whole pages for visitors, kept in the shared cache.

A visitor with no cookies at all sees what every such visitor sees, so the page
is stored once and served to all of them without touching the database. Only
with a shared cache (Redis): an invalidation must reach every worker. Any change
to what pages show (a post, byline, contributor, pull quote, topic or tier)
moves the cache on to a new generation, so no stale page is served again.
"""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

GENERATION_KEY = "pagecache:generation"


def invalidate(**_signal_arguments) -> None:
    if settings.PAGE_CACHE:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # never set, or evicted: any new value starts afresh
            cache.set(GENERATION_KEY, 2, timeout=None)


class VisitorPageCacheMiddleware:
    """First in the stack: a hit costs one cache round trip and no database at all.

    Each page is stored with the generation it was made in; one get_many fetches
    both, and a page from an older generation is a miss.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.PAGE_CACHE or request.method not in {"GET", "HEAD"} or request.COOKIES:
            return self.get_response(request)
        page_key = "page:" + hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
        found = cache.get_many([GENERATION_KEY, page_key])
        generation = found.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, 1, timeout=None)
            generation = cache.get(GENERATION_KEY, 1)
        if page_key in found and found[page_key][0] == generation:
            return found[page_key][1]
        response = self.get_response(request)  # rendered by now, template responses too
        if self.shareable(request, response):
            # The request id belongs to this request alone, not to the stored copy.
            request_id = response.headers.pop("X-Request-ID", None)
            cache.set(page_key, (generation, response), settings.PAGE_CACHE_SECONDS)
            if request_id:
                response["X-Request-ID"] = request_id
        return response

    @staticmethod
    def shareable(request: HttpRequest, response: HttpResponse) -> bool:
        """The same for every visitor: a plain 200 that sets no cookie and is not private."""
        cache_control = response.get("Cache-Control", "")
        return (
            request.method == "GET"
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in cache_control
            and "no-cache" not in cache_control
        )
