"""What list pages and searches ask of the database, kept in the shared cache for every
reader until anything a page shows changes.

A list page's one statement was a round trip and up to 3 ms of PostgreSQL (page 200 of
the archive); a search cost 20 to 30 ms (the newest 500 matches ranked), and at 16
connections on two workers its p99 was 262 ms. Asked again, either costs one cache
read, or none on a worker that kept its own copy (as the page cache's workers do: served
until an invalidation arrives). What is kept is what the page asks of the database: its
posts' ids and revisions (the cards come from articles/cards.py, kept under those
revisions), and for a search how many matched and whether there are more.

A list says the same to every reader; a search is kept under what the reader may read
in full (members.access.readable_key), never under who the reader is, so readers who
may read the same posts share results and no others do. Everything is kept in the page
cache's generation (publication/pagecache.py): any change to a post, byline,
contributor, pull quote, topic or tier moves it on. A post scheduled to come out is
kept waiting for: nothing kept lives past the next post's publish time. The cache only
saves work: when it fails, the page asks the database, and the worker leaves the cache
alone for RETRY_SECONDS.
"""

import hashlib
import logging
import time
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db.models import Model

from publication import pagecache, statements

from .models import Article

RETRY_SECONDS = pagecache.RETRY_SECONDS
logger = logging.getLogger(__name__)
resting_until = 0.0  # this worker's: after a failure, lists skip the cache until then
# This worker's copies of answers, served while no invalidation has arrived, as the page
# cache serves its own: asking Redis was a tenth of a list page (py-spy).
local = pagecache.LocalPages()


class Kept:
    """One list's answer, kept under `kind` and `words` (everything the answer depends on)."""

    def __init__(self, kind: str, *words: object) -> None:
        named = "\n".join(str(word) for word in words)
        self.key = f"{kind}:v3:" + hashlib.sha256(named.encode()).hexdigest()
        self.generation = None

    def get(self):
        """What was kept in this generation, if anything: this worker's copy while no
        invalidation has arrived, else Redis's."""
        if not settings.LIST_CACHE or time.monotonic() < resting_until:
            return None
        try:
            answer, heard = local.get(self.key)
            if answer is not None:
                return answer
            self.generation, stored = pagecache.generation_and(self.key)
            local.learn(self.generation, heard)
        except Exception as error:  # the cache only saves work: see the module's docstring
            rest(error)
            return None
        if not stored or stored[0] != self.generation or stored[1] <= time.time():
            return None
        local.keep(self.key, *stored)
        return stored[2]

    def keep(self, answer) -> None:
        """Keep an answer made in the generation get() read, if it read one, until the
        next post comes out (PAGE_CACHE_SECONDS at most)."""
        if self.generation is None:
            return
        seconds = settings.PAGE_CACHE_SECONDS
        if coming := Article.objects.next_to_come_out():
            seconds = min(seconds, int(coming.timestamp() - time.time()))
        if seconds < 1:
            return
        stored = (self.generation, time.time() + seconds, answer)
        try:
            cache.set(self.key, stored, seconds)
            local.keep(self.key, *stored)
        except Exception as error:
            rest(error)


def rest(error: Exception) -> None:
    global resting_until
    logger.warning(
        "Lists could not be kept (%s); asking the database for %s s",
        type(error).__name__,
        RETRY_SECONDS,
    )
    resting_until = time.monotonic() + RETRY_SECONDS
    local.forget()


def by_slug(model: type[Model], slug: str, *, leave_out: tuple[str, ...] = ()) -> Model | None:
    """The post, topic or writer a page is about, its row (but for `leave_out`) kept as
    lists are: read on every request, it was a round trip and a tenth of a topic page,
    a quarter of a post's (py-spy). Each request makes an instance of its own."""
    answer = Kept("row", model._meta.label, slug, *leave_out)
    if (row := answer.get()) is None:
        if (row := statements.slug_row(model, slug, leave_out=leave_out)) is None:
            return None
        answer.keep(row)
    return statements.from_slug_row(model, row, leave_out=leave_out)


class Listed(NamedTuple):
    """A post as a list page knows it: its id and revision, all its card is kept under
    (articles/cards.py). Making a model instance of each took 17 µs, ten to a page."""

    pk: int
    updated_at: datetime


def rows(posts: list[Article | Listed]) -> list[tuple]:
    """Posts as kept: their ids and revisions, all a list asks of its query."""
    return [(post.pk, post.updated_at) for post in posts]


def posts(rows: list[tuple]) -> list[Listed]:
    return [Listed(*row) for row in rows]
