"""A post's `updated_at` moves whenever anything its page shows changes.

The page shows more than the post's own row: its byline's contributors, its
topics, the package its badge names. Saving any of them touches the posts that
show it, so `updated_at` is a revision every worker can check with the post
itself: the post page's fragment cache is keyed by it, and the sitemap and the
feed tell crawlers and feed readers that the page changed.
"""

from django.db.models import QuerySet
from django.utils import timezone

from .models import Article
from .tasks import draw_share_pictures


def touch(articles: QuerySet[Article]) -> None:
    articles.update(updated_at=timezone.now())


def contributor_changed(instance, **_signal_arguments) -> None:
    articles = Article.objects.filter(bylines__contributor=instance)
    touch(articles)
    redraw_share_pictures(articles)


def byline_changed(instance, origin=None, **_signal_arguments) -> None:
    if isinstance(origin, Article) or getattr(origin, "model", None) is Article:
        return  # the post itself is being deleted: nothing of it is left to show or draw
    articles = Article.objects.filter(pk=instance.article_id)
    touch(articles)
    redraw_share_pictures(articles)


def redraw_share_pictures(articles: QuerySet[Article]) -> None:
    """A share card names the byline: the cards of the posts showing it now are drawn
    again by the worker once this commits, not on a visit."""
    if ids := list(articles.values_list("pk", flat=True)):
        draw_share_pictures.enqueue(ids)


# The lookup from a post to the rows of each model its page shows, by the model's label.
POSTS_SHOWING = {
    "articles.Contributor": "bylines__contributor",
    "articles.Topic": "topics",
    "articles.Byline": "bylines",
    "members.Tier": "minimum_tier",
}


def rows_updated(sender, pks, **_signal_arguments) -> None:
    """Rows that pages show, written in bulk (publication/signals.py): the posts showing
    them move on, as on save()."""
    touch(Article.objects.filter(**{f"{POSTS_SHOWING[sender._meta.label]}__in": pks}))


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
