"""Whole pages for visitors, kept in the shared cache and, while they hold, by each worker.

A visitor with no cookies at all sees what every such visitor sees, so the page
is stored once and served to all of them without touching the database. Only
with a shared cache (Redis): an invalidation must reach every worker. Any change
to what pages show (a post, byline, contributor, pull quote, topic or tier)
moves the cache on to a new generation, so no stale page is served again.

On Redis, each worker also keeps the pages it served lately and serves them
again without a round trip, which costs as much as the rest of serving a cached
page. Every move to a new generation is published on a channel each worker
subscribes to; before serving its own copy, a worker reads (without waiting)
what has arrived, and one invalidation sends it back to Redis.
"""

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse

GENERATION_KEY = "pagecache:generation"
INVALIDATIONS = "pagecache:invalidations"
LOCAL_PAGES = 200  # per worker; a page is about 10 KB

logger = logging.getLogger(__name__)


def unreachable() -> tuple[type[Exception], ...]:
    """The errors of a cache that cannot be reached: Redis's; local memory has none."""
    return getattr(cache, "errors", ())


def invalidate(**_signal_arguments) -> None:
    if settings.PAGE_CACHE:
        next_generation()
        # Again once the change is committed: a page made meanwhile may show it uncommitted.
        transaction.on_commit(next_generation)


def next_generation() -> None:
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # never set, or evicted: any new value starts afresh
            cache.set(GENERATION_KEY, 2, timeout=None)
        if hasattr(cache, "publish"):
            cache.publish(INVALIDATIONS, "new generation")
    except unreachable():
        # The change itself stands; cached pages live PAGE_CACHE_SECONDS at most.
        logger.exception("The page cache could not be invalidated")


class VisitorPageCacheMiddleware:
    """First in the stack: a hit costs one cache round trip, or none, and no database.

    Each page is stored with the generation it was made in; one get_many fetches
    both, and a page from an older generation is a miss. If the cache is down,
    pages are made afresh.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.local = LocalPages()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.PAGE_CACHE or request.method not in {"GET", "HEAD"} or request.COOKIES:
            return self.get_response(request)
        page_key = "page:v2:" + hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
        try:
            page, heard = self.local.get(page_key)
            if page is not None:
                return thawed(page)
            generation, stored = self.fetch(page_key, heard)
        except unreachable():
            logger.warning("The page cache is unreachable; making the page afresh")
            return self.get_response(request)
        if stored and stored[0] == generation and stored[1] > time.time():
            self.local.keep(page_key, *stored)
            return thawed(stored[2])
        response = self.get_response(request)  # rendered by now, template responses too
        if self.shareable(request, response):
            self.store(page_key, generation, response)
        return response

    def fetch(self, page_key: str, heard: int) -> tuple[int, tuple | None]:
        found = cache.get_many([GENERATION_KEY, page_key])
        generation = found.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, 1, timeout=None)
            generation = cache.get(GENERATION_KEY, 1)
        self.local.learn(generation, heard)
        return generation, found.get(page_key)

    def store(self, page_key: str, generation: int, response: HttpResponse) -> None:
        # The request id belongs to this request alone, not to the stored copy.
        request_id = response.headers.pop("X-Request-ID", None)
        stored = (generation, time.time() + settings.PAGE_CACHE_SECONDS, frozen(response))
        try:
            cache.set(page_key, stored, settings.PAGE_CACHE_SECONDS)
            self.local.keep(page_key, *stored)
        except unreachable():
            logger.warning("The page cache is unreachable; the page was not stored")
        if request_id:
            response["X-Request-ID"] = request_id

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


def frozen(response: HttpResponse) -> tuple:
    """A page as it is stored: every hit is served a response of its own made from it."""
    return response.status_code, list(response.items()), response.content


def thawed(page: tuple) -> HttpResponse:
    status, headers, content = page
    return HttpResponse(content, status=status, headers=headers)


class LocalPages:
    """One worker's copies of the pages it served lately, good until an invalidation arrives.

    The generation known here is the one last read from Redis since the worker
    subscribed to invalidations, forgotten when one arrives; copies of another
    generation are not served. Only on a cache that publishes (publication.cache).
    A lock keeps it right for threaded workers too.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.subscription = None
        self.generation = None
        self.heard = 0  # invalidations read so far
        self.pages: OrderedDict[str, tuple] = OrderedDict()

    def get(self, page_key: str) -> tuple[tuple | None, int]:
        """The copy of the page if it still holds, and the invalidations heard by now."""
        with self.lock:
            if not self.up_to_date():
                return None, self.heard
            generation, expires_at, page = self.pages.get(page_key, (None, 0, None))
            if generation != self.generation or expires_at < time.time():
                return None, self.heard
            self.pages.move_to_end(page_key)
            return page, self.heard

    def up_to_date(self) -> bool:
        """Read what has arrived; whether the generation known here still stands."""
        if not hasattr(cache, "subscribe"):
            return False
        try:
            if self.subscription is None:
                self.subscription = cache.subscribe(INVALIDATIONS)
                self.generation = None  # learnt from the next read, now that none is missed
            while self.subscription.get_message(timeout=0) is not None:
                self.heard += 1
                self.generation = None
        except unreachable():
            self.subscription = self.generation = None
            raise
        return self.generation is not None

    def learn(self, generation: int, heard: int) -> None:
        """The generation read from Redis, unless an invalidation was heard since the read."""
        with self.lock:
            if self.subscription is not None and heard == self.heard:
                self.generation = generation

    def keep(self, page_key: str, generation: int, expires_at: float, page: tuple) -> None:
        with self.lock:
            if self.subscription is None:
                return
            self.pages[page_key] = (generation, expires_at, page)
            self.pages.move_to_end(page_key)
            if len(self.pages) > LOCAL_PAGES:
                self.pages.popitem(last=False)
