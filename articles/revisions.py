"""A post's `updated_at` moves whenever anything its page shows changes.

The page shows more than the post's own row: its byline's contributors, its
topics, the package its badge names. Saving any of them touches the posts that
show it, so `updated_at` is a revision every worker can check with the post
itself: the post page's fragment cache is keyed by it, and the sitemap and the
feed tell crawlers and feed readers that the page changed.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import BYLINES, Article


def touch(articles: QuerySet[Article]) -> None:
    articles.update(updated_at=timezone.now())


def contributor_changed(instance, **_signal_arguments) -> None:
    articles = Article.objects.filter(bylines__contributor=instance)
    touch(articles)
    redraw_share_pictures(articles)


def byline_changed(instance, **_signal_arguments) -> None:
    articles = Article.objects.filter(pk=instance.article_id)
    touch(articles)
    redraw_share_pictures(articles)


def redraw_share_pictures(articles: QuerySet[Article]) -> None:
    """A share card names the byline: one that changed is drawn at commit, not on a visit."""

    def draw() -> None:
        for article in articles.prefetch_related(BYLINES):
            article.share_picture  # noqa: B018

    transaction.on_commit(draw)


def topic_changed(instance, **_signal_arguments) -> None:
    touch(Article.objects.filter(topics=instance))


def tier_changed(instance, **_signal_arguments) -> None:
    touch(Article.objects.filter(minimum_tier=instance))


def topics_changed(instance, action, reverse, pk_set, **_signal_arguments) -> None:
    """A post's topics were set, from either side of the relation."""
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if not reverse:
        touch(Article.objects.filter(pk=instance.pk))
    elif action == "pre_clear":
        touch(instance.articles.all())
    else:
        touch(Article.objects.filter(pk__in=pk_set))
