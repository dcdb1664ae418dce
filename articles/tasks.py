"""The worker's part of keeping posts' pages whole."""

from outbox.tasks import task

from .models import BYLINES, Article


@task()
def draw_share_pictures(article_ids: list[int]) -> int:
    """The share cards of posts whose byline changed, or that a bulk write made: drawn by
    the worker (a contributor may have thousands of posts) rather than by
    the request or import that changed them, or by a post's first visitor."""
    articles = Article.objects.filter(pk__in=article_ids).prefetch_related(BYLINES)
    for article in articles:
        article.share_picture  # noqa: B018 - drawn and stored if it is not yet
    return len(articles)
