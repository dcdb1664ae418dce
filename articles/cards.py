"""The cards of list pages, each rendered once per worker and kept under its post's
revision: `updated_at` moves whenever anything a card shows changes (its picture, badge,
title, standfirst, byline, date: articles/revisions.py), so no worker shows a stale card
and none needs telling. A list page served again renders no card and fetches no byline.

A card says the same to every reader (its badge names who may read the post, never
whether this reader may), so one copy serves them all.
"""

from django.core.cache import caches
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from .models import BYLINES, Article

TEMPLATE = "articles/includes/card.html"
SECONDS = 24 * 60 * 60


def cards(articles: list[Article], *, lead: bool = False, eager: int = 1) -> list[SafeString]:
    """Each post's card, in order; the first `eager` load their picture at once (the first
    card's is often the largest thing on screen), the others lazily."""
    fragments = caches["fragments"]
    shown = [(article, lead, index >= eager) for index, article in enumerate(articles)]
    keys = [key(*card) for card in shown]
    kept = fragments.get_many(keys)
    missing = [card for card, name in zip(shown, keys, strict=True) if name not in kept]
    prefetch_related_objects([article for article, *_ in missing], BYLINES)
    made = {
        key(article, lead, lazy): render_to_string(
            TEMPLATE, {"article": article, "lead": lead, "lazy": lazy}
        )
        for article, lead, lazy in missing
    }
    fragments.set_many(made, SECONDS)
    return [mark_safe(kept.get(name) or made[name]) for name in keys]  # noqa: S308 - rendered here


def key(article: Article, lead: bool, lazy: bool) -> str:
    return f"card:{article.pk}:{article.updated_at.isoformat()}:{int(lead)}{int(lazy)}"
