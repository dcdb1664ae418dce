"""Search results kept in the shared cache, for visitors and members alike, until anything
a page shows changes.

A search costs 20 to 30 ms of a worker and of PostgreSQL (the newest 500 matches
ranked), and at 16 connections on two workers its p99 was 262 ms; the same search again
costs one cache read. What is kept is what the page asks of the database: its posts' ids
and revisions (the cards come from articles/cards.py, as on every list), how many
matched and whether there are more.

Each result is kept under the words, the page and what the reader may read in full
(members.access.readable_key), never under who the reader is, so readers who may read
the same posts share results and no others do. It is kept in the page cache's
generation (publication/pagecache.py): any change to a post, byline, contributor, pull
quote, topic or tier moves it on, and a post scheduled to come out appears within
PAGE_CACHE_SECONDS, as in cached pages. The cache only saves work: when it fails, the
search is made afresh, and the worker leaves the cache alone for RETRY_SECONDS.
"""

import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from publication import pagecache

from .models import Article

RETRY_SECONDS = pagecache.RETRY_SECONDS
logger = logging.getLogger(__name__)
resting_until = 0.0  # this worker's: after a failure, searches skip the cache until then


@dataclass
class Results:
    """One page of a search: its posts (with only their ids and revisions), its number,
    how many matched, and whether there are more."""

    posts: list[Article]
    number: int
    count: int
    more: bool


class KeptSearch:
    def __init__(self, query: str, rule: str, page: str) -> None:
        words = f"{rule}\n{page}\n{query}"
        self.key = "search:v1:" + hashlib.sha256(words.encode()).hexdigest()
        self.generation = None

    def get(self) -> Results | None:
        """The results kept in this generation, if any."""
        if not settings.SEARCH_CACHE or time.monotonic() < resting_until:
            return None
        try:
            self.generation, stored = pagecache.generation_and(self.key)
        except Exception as error:  # the cache only saves work: see the module's docstring
            rest(error)
            return None
        if not stored or stored[0] != self.generation:
            return None
        _, rows, number, count, more = stored
        posts = [Article.from_db(None, ["id", "updated_at"], row) for row in rows]
        return Results(posts, number, count, more)

    def keep(self, results: Results) -> None:
        """Keep results made in the generation read by get(), if it read one."""
        if self.generation is None:
            return
        rows = [(post.pk, post.updated_at) for post in results.posts]
        try:
            kept = (self.generation, rows, results.number, results.count, results.more)
            cache.set(self.key, kept, settings.PAGE_CACHE_SECONDS)
        except Exception as error:
            rest(error)


def rest(error: Exception) -> None:
    global resting_until
    logger.warning(
        "Search results could not be kept (%s); searching afresh for %s s",
        type(error).__name__,
        RETRY_SECONDS,
    )
    resting_until = time.monotonic() + RETRY_SECONDS
