"""Answers the database gave (a list page's posts, a search's results, the row a page is
about), cached in Redis for every reader they are the same for (LIST_CACHE).

An answer is cached under everything it depends on and in the page cache's version
(publication/pagecache.py), which any change to what pages show moves on. Invariant: an
answer is one snapshot of the database. A list is posts' ids and revisions, whose text
comes from the database or from fragments cached under that revision; a row is cached
whole, so what decides access never comes apart from the text it lets through. Nothing
is kept in the worker, and while Redis fails the database is asked.
"""

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

from .pagecache import fresh, version_and


class CachedAnswer:
    """One answer, cached under `kind` and `words` (everything the answer depends on)."""

    def __init__(self, kind: str, *words: object) -> None:
        named = "\n".join(str(word) for word in words)
        self.key = f"{kind}:v4:" + hashlib.sha256(named.encode()).hexdigest()
        self.version = None

    def get(self):
        """The answer cached in this version, or None (a miss)."""
        if not settings.LIST_CACHE:
            return None
        self.version, stored = version_and(self.key)
        return fresh(stored, self.version)

    def get_or_set(self, make: Callable[[], object], lifetime: Callable[[], int] | None = None):
        """The answer cached in this version, else make()'s, cached for lifetime() seconds
        (PAGE_CACHE_SECONDS unless given)."""
        if (answer := self.get()) is None:
            answer = make()
            self.set(answer, lifetime or page_cache_seconds)
        return answer

    def set(self, answer, lifetime: Callable[[], int]) -> None:
        """Cache an answer made in the version get() read, if it read one, for the
        lifetime() in seconds (asked only then: it may cost a query)."""
        if self.version is None or (seconds := lifetime()) < 1:
            return
        cache.set(self.key, (self.version, time.time() + seconds, answer), seconds)


def page_cache_seconds() -> int:
    return settings.PAGE_CACHE_SECONDS
