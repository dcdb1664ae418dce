"""Whole pages for visitors with no cookies, cached in Redis (PAGE_CACHE).

A visitor with no cookies sees what every such visitor sees, so the page is stored
once and served to all of them without touching the database. Only pages that say
they are the same for everyone are stored: a 200 to a GET that sets no cookie and is
not private.

Invariant: a page is served only as it was made for a visitor, for at most
PAGE_CACHE_SECONDS. Any change to what pages show moves the cache on to a new
version (invalidate(), wired by each app), under which no page was stored; a version
is a random token, never a counter, so a Redis that loses the key (a restart, an
eviction, FLUSHALL) starts on a token no page was stored under. An invalidation that
is lost (Redis away at that moment) leaves pages that were right for visitors when
they were made, until they expire.

The version and the page come in one round trip. Nothing is kept in the worker:
Redis is the one copy, so no worker needs telling of a change.
"""

import hashlib
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import re_accepts_gzip as accepts_gzip
from django.middleware.http import ConditionalGetMiddleware

VERSION_KEY = "pagecache:version"


def invalidate(**_signal_arguments) -> None:
    """Move pages and cached answers (publication/answers.py) on to a new version, now and
    again once the change commits: a page made meanwhile may show the change uncommitted,
    or not yet."""
    next_version()
    transaction.on_commit(next_version)


def next_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def version_and(key: str) -> tuple[str | None, object | None]:
    """The version now and what is stored under `key`, in one round trip; what was stored
    in another version is stale. A version never set, or lost, is replaced by a new
    token, under which nothing was stored. (None, None) while Redis fails."""
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        return cache.get(VERSION_KEY), None
    return version, found.get(key)


def fresh(stored, version: str | None) -> object | None:
    """What was stored, if it was stored in this version and has not expired."""
    if version is None or not stored or stored[0] != version or stored[1] <= time.time():
        return None
    return stored[2]


class VisitorPageCacheMiddleware:
    """Near the top of the stack: a hit costs one Redis round trip and no database."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # A stored page may answer a conditional request too: 304 where the visitor has it.
        self.conditional = ConditionalGetMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.PAGE_CACHE or request.method not in {"GET", "HEAD"} or request.COOKIES:
            return self.get_response(request)
        # A page is stored once compressed, for browsers that take gzip, and once plain.
        variant = "gzip" if accepts_gzip.search(request.headers.get("Accept-Encoding", "")) else ""
        address = f"{request.build_absolute_uri()} {variant}"
        key = "page:v4:" + hashlib.sha256(address.encode()).hexdigest()
        version, stored = version_and(key)
        if (page := fresh(stored, version)) is not None:
            response = thawed(page)
            if "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META:
                return self.conditional.process_response(request, response)
            return response
        response = self.get_response(request)  # rendered by now, template responses too
        if version is not None and shareable(request, response):
            expires_at = time.time() + settings.PAGE_CACHE_SECONDS
            cache.set(key, (version, expires_at, frozen(response)), settings.PAGE_CACHE_SECONDS)
        return response


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
