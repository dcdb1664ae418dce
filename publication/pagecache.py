"""Whole pages for visitors, kept in the shared cache and, while they hold, by each worker.

A visitor with no cookies at all sees what every such visitor sees, so the page
is stored once and served to all of them without touching the database. Only
with a shared cache (Redis): an invalidation must reach every worker. Any change
to what pages show (a post, byline, contributor, pull quote, topic or tier, by
save(), delete() or a bulk update) moves the cache on to a new generation, so no
stale page is served again. A generation is a random token, never a counter: a
Redis that loses the key (a restart, an eviction, FLUSHALL) starts on a token no
page was ever stored under, so no copy from before can be served again.

On Redis, each worker also keeps the pages it served lately and serves them
again without a round trip, which costs as much as the rest of serving a cached
page. Every move to a new generation is published on a channel each worker
subscribes to; before serving its own copy, a worker reads (without waiting)
what has arrived, and one invalidation sends it back to Redis.

The cache only ever saves work: whatever goes wrong with it (Redis down, slow,
full, or answering garbage), the page is made afresh, and the worker leaves the
cache alone for RETRY_SECONDS so that no request after the first waits on it.
"""

import contextlib
import hashlib
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import re_accepts_gzip as accepts_gzip
from django.middleware.http import ConditionalGetMiddleware

GENERATION_KEY = "pagecache:generation"
INVALIDATIONS = "pagecache:invalidations"
LOCAL_PAGES = 200  # per worker; a page is about 10 KB
RETRY_SECONDS = 5  # after a failure, how long a worker makes pages without the cache
CONFIRMATION_WAIT = 0.05  # seconds a new subscription waits for Redis to confirm it

CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")

logger = logging.getLogger(__name__)


def invalidate(**_signal_arguments) -> None:
    if settings.PAGE_CACHE or settings.LIST_CACHE:  # lists and searches are kept by it too
        next_generation()
        # Again once the change is committed: a page made meanwhile may show it uncommitted.
        transaction.on_commit(next_generation)


def new_generation() -> str:
    return uuid.uuid4().hex


def next_generation() -> None:
    try:
        cache.set(GENERATION_KEY, new_generation(), timeout=None)
        if hasattr(cache, "publish"):
            cache.publish(INVALIDATIONS, "new generation")
    except Exception:
        # Whatever failed, the change itself stands; cached pages live PAGE_CACHE_SECONDS at most.
        logger.exception("The page cache could not be invalidated")


def generation_and(key: str) -> tuple[str, object | None]:
    """The generation now and what is kept under `key`, in one round trip: what was kept
    in another generation is stale. A generation never set, or lost, is replaced by a new
    token, under which nothing was kept."""
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, new_generation(), timeout=None)
        return cache.get(GENERATION_KEY), None
    return generation, found.get(key)


class VisitorPageCacheMiddleware:
    """Near the top of the stack: a hit costs one cache round trip, or none, and no database.

    Each page is stored with the generation it was made in; one get_many fetches
    both, and a page from another generation is a miss.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.local = LocalPages()
        # A copy may answer a conditional request too: 304 where the visitor has it already.
        self.conditional = ConditionalGetMiddleware(get_response)
        self.resting_until = 0.0

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            not settings.PAGE_CACHE
            or request.method not in {"GET", "HEAD"}
            or request.COOKIES
            or time.monotonic() < self.resting_until
        ):
            return self.get_response(request)
        # A page is kept once compressed, for browsers that take gzip, and once plain.
        variant = "gzip" if accepts_gzip.search(request.headers.get("Accept-Encoding", "")) else ""
        address = f"{request.build_absolute_uri()} {variant}"
        page_key = "page:v3:" + hashlib.sha256(address.encode()).hexdigest()
        try:
            page, heard = self.local.get(page_key)
            if page is not None:
                return self.served(request, page)
            generation, stored = self.fetch(page_key, heard)
            if stored and stored[0] == generation and stored[1] > time.time():
                self.local.keep(page_key, *stored)
                return self.served(request, stored[2])
        except Exception as error:  # the cache only saves work: see the module's docstring
            self.rest(error)
            return self.get_response(request)
        response = self.get_response(request)  # rendered by now, template responses too
        if generation is not None and self.shareable(request, response):
            self.store(page_key, generation, response)
        return response

    def served(self, request: HttpRequest, page: tuple) -> HttpResponse:
        """A copy, or a 304 to a browser that asks whether its own is still good (17 µs,
        a third of a hit: only then)."""
        response = thawed(page)
        if any(header in request.META for header in CONDITIONAL):
            return self.conditional.process_response(request, response)
        return response

    def fetch(self, page_key: str, heard: int) -> tuple[str | None, tuple | None]:
        generation, stored = generation_and(page_key)
        self.local.learn(generation, heard)
        return generation, stored

    def store(self, page_key: str, generation: str, response: HttpResponse) -> None:
        stored = (generation, time.time() + settings.PAGE_CACHE_SECONDS, frozen(response))
        try:
            cache.set(page_key, stored, settings.PAGE_CACHE_SECONDS)
            self.local.keep(page_key, *stored)
        except Exception as error:
            self.rest(error)

    def rest(self, error: Exception) -> None:
        """Make pages without the cache for a while, and forget this worker's copies."""
        logger.warning(
            "The page cache failed (%s); making pages afresh for %s s",
            type(error).__name__,
            RETRY_SECONDS,
        )
        self.resting_until = time.monotonic() + RETRY_SECONDS
        self.local.forget()

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
            and "no-store" not in cache_control
        )


def frozen(response: HttpResponse) -> tuple:
    """A page as it is stored: every hit is served a response of its own made from it."""
    return response.status_code, list(response.items()), response.content


def thawed(page: tuple) -> HttpResponse:
    status, headers, content = page
    return HttpResponse(content, status=status, headers=headers)


class LocalPages:
    """One worker's copies of the pages it served lately, good until an invalidation arrives.

    The generation known here is the one last read from Redis after the
    subscription to invalidations was confirmed, forgotten when one arrives;
    copies of another generation are not served, and a new subscription or a
    new generation drops them all. Only on a cache that publishes
    (publication.cache). A lock keeps it right for threaded workers too.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.subscription = None
        self.confirmed = False
        self.generation = None
        self.heard = 0  # messages read so far: the confirmation, then invalidations
        self.pages: OrderedDict[str, tuple] = OrderedDict()

    def get(self, page_key: str) -> tuple[tuple | None, int]:
        """The copy of the page if it still holds, and the messages heard by now."""
        with self.lock:
            if not self.up_to_date():
                return None, self.heard
            generation, expires_at, page = self.pages.get(page_key, (None, 0, None))
            if generation != self.generation or expires_at < time.time():
                return None, self.heard
            self.pages.move_to_end(page_key)
            return page, self.heard

    def up_to_date(self) -> bool:
        """Read what has arrived; whether the generation known here still stands.

        A new subscription waits CONFIRMATION_WAIT at most for Redis to confirm
        it; until the confirmation is read, no generation is learnt and no copy is
        served (pages still come from Redis).
        """
        if not hasattr(cache, "subscribe"):
            return False
        wait = 0.0
        try:
            if self.subscription is None:
                self.subscription = cache.subscribe(INVALIDATIONS)
                self.confirmed, self.generation = False, None
                self.pages.clear()  # kept under the old subscription: anything may have changed
                wait = CONFIRMATION_WAIT
            while (message := self.subscription.get_message(timeout=wait)) is not None:
                wait = 0.0
                self.heard += 1
                self.generation = None
                if message.get("type") == "subscribe":
                    self.confirmed = True
        except Exception:
            self.drop_subscription()
            raise
        return self.generation is not None

    def learn(self, generation: str, heard: int) -> None:
        """The generation read from Redis, unless a message was heard since the read."""
        with self.lock:
            if self.confirmed and heard == self.heard:
                if generation != self.generation:
                    self.pages.clear()
                self.generation = generation

    def keep(self, page_key: str, generation: str, expires_at: float, page: tuple) -> None:
        with self.lock:
            if self.subscription is None:
                return
            self.pages[page_key] = (generation, expires_at, page)
            self.pages.move_to_end(page_key)
            if len(self.pages) > LOCAL_PAGES:
                self.pages.popitem(last=False)

    def forget(self) -> None:
        with self.lock:
            self.drop_subscription()

    def drop_subscription(self) -> None:
        if self.subscription is not None:
            with contextlib.suppress(Exception):  # closing a broken connection may fail too
                self.subscription.close()
        self.subscription, self.confirmed, self.generation = None, False, None
        self.pages.clear()
