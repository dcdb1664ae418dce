"""The cards of list pages, each rendered once per worker and cached under its post's
revision: `updated_at` moves whenever anything a card shows changes (its picture, badge,
title, standfirst, byline, date: articles/revisions.py), so a cached card is never stale
and no worker needs telling. A list page served again renders no card.

A card says the same to every reader (its badge names who may read the post, never
whether this reader may) and holds no members' text, so one copy serves them all. So
does a page's whole list (rendered_list): its cards and its links to other pages,
cached under what they show.
"""

import hashlib

from django.core.cache import caches
from django.core.paginator import Page
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from .listing import Listed
from .models import BYLINES, Article

TEMPLATE = "articles/includes/card.html"
LIST_TEMPLATE = "articles/includes/article_list.html"
SECONDS = 24 * 60 * 60


def cards(articles: list[Listed], *, leads: int = 0) -> list[SafeString]:
    """Each post's card, in order: the first `leads` as lead cards. The first card loads
    its picture at once (it is often the largest thing on screen), the others lazily.

    Of each post, only its pk and revision are asked: the posts whose cards miss are
    fetched, with their bylines, in two queries.
    """
    fragments = caches["fragments"]
    shown = [(article, index < leads, index > 0) for index, article in enumerate(articles)]
    keys = [key(*card) for card in shown]
    hits = fragments.get_many(keys)
    missing = [card for card, name in zip(shown, keys, strict=True) if name not in hits]
    whole = (
        Article.objects.select_related("minimum_tier")
        .without_long_texts()
        .prefetch_related(BYLINES)
        .in_bulk([article.pk for article, *_ in missing])
        if missing
        else {}
    )
    made = {
        key(article, lead, lazy): render_to_string(
            TEMPLATE, {"article": whole[article.pk], "lead": lead, "lazy": lazy}
        )
        for article, lead, lazy in missing
        if article.pk in whole  # deleted since the list was read
    }
    fragments.set_many(made, SECONDS)
    return [mark_safe(hits.get(name) or made.get(name, "")) for name in keys]  # noqa: S308


def key(article: Listed, lead: bool, lazy: bool) -> str:
    return f"card:{article.pk}:{article.updated_at.isoformat()}:{int(lead)}{int(lazy)}"


def rendered_list(
    articles: list[Listed], page: Page, *, lead: Listed | None, query="", empty=""
) -> tuple[SafeString | None, SafeString]:
    """A list page's lead card, if it has a lead story, and its list: the cards, and
    the links to other pages (or, with no posts, the `empty` message), rendered once per
    worker under the posts' revisions and everything else they show.
    """
    fragments = caches["fragments"]
    shows = (
        [key(post, False, False) for post in articles],
        lead and key(lead, True, False),
        (page.number, page.has_previous(), page.has_next(), query, empty),
    )
    name = "list:" + hashlib.sha256(repr(shows).encode()).hexdigest()
    if (rendered := fragments.get(name)) is None:
        shown = cards([lead, *articles] if lead else articles, leads=1 if lead else 0)
        context = {"articles": articles, "cards": shown[1:] if lead else shown, "page_obj": page}
        context |= {"query": query, "empty_message": empty}
        rendered = (shown[0] if lead else None, render_to_string(LIST_TEMPLATE, context))
        fragments.set(name, rendered, SECONDS)
    lead_card, html = rendered
    return (mark_safe(lead_card) if lead_card else None), mark_safe(html)  # noqa: S308
