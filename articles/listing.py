"""What a list page shows: its posts' ids and revisions, newest first.

That is all a list page asks of the database: the cards are cached under each post's
revision (articles/cards.py), and the answer itself in Redis (publication/answers.py)
until anything a page shows changes or the next scheduled post comes out.
"""

import time
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.db.models import Model

from publication.answers import CachedAnswer

from .models import Article


class Listed(NamedTuple):
    """A post as a list page knows it: its id and revision, all its card is cached under."""

    pk: int
    updated_at: datetime


def listed(posts) -> list[Listed]:
    return [Listed(post.pk, post.updated_at) for post in posts]


def answer_lifetime() -> int:
    """Seconds a list may be cached: PAGE_CACHE_SECONDS, and never past the moment the
    next scheduled post comes out."""
    seconds = settings.PAGE_CACHE_SECONDS
    if coming := Article.objects.next_to_come_out():
        seconds = min(seconds, int(coming.timestamp() - time.time()))
    return seconds


class Listing:
    """The published posts, newest first, fetched as a paginator slices them.

    `linked_by`: only the posts a link model (a post's topics, its bylines) ties to one
    object, as (the link model, the field naming the object, its pk). `lead`: the newest
    featured post is left out of every page and kept as `self.lead`, as the front page
    wants it.
    """

    ordered = True  # what Paginator checks of the list it is given

    def __init__(self, *, linked_by: tuple[type[Model], str, int] | None = None, lead=False):
        self.linked_by = linked_by
        self.leads = lead
        self.lead: Listed | None = None

    def __getitem__(self, page: slice) -> list[Listed]:
        link = self.linked_by and (self.linked_by[0]._meta.label, *self.linked_by[1:])
        answer = CachedAnswer("list", self.leads, link, page.start, page.stop)
        posts, self.lead = answer.get_or_set(lambda: self.posts(page), answer_lifetime)
        return posts

    def posts(self, page: slice) -> tuple[list[Listed], Listed | None]:
        published = Article.objects.published()
        if self.linked_by:
            model, field, pk = self.linked_by
            linked = model.objects.filter(**{field: pk}).values("article")
            published = published.filter(pk__in=linked)
        lead = None
        if self.leads:
            lead = published.filter(featured=True).values_list("pk", "updated_at").first()
            # exclude(pk=) is "id <> %s": with NOT IN, PostgreSQL guessed that half the
            # posts would go and sorted them all (90 ms for page 200 of 10,000).
            published = published.exclude(pk=lead[0]) if lead else published
        rows = published.values_list("pk", "updated_at")[page]
        return [Listed(*row) for row in rows], (Listed(*lead) if lead else None)
