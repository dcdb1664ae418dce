import re
from datetime import datetime
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.http import http_date

from members import access

from .models import Article

FEED_LENGTH = 20
# Addresses in sanitised HTML (nh3 quotes every attribute with double quotes).
ADDRESS = re.compile(r'( (?:href|src)=")([^"]*)"')


def absolute_links(html: str, page_url: str) -> str:
    """Every address made absolute, as from the post's page: a feed reader has no page."""
    return ADDRESS.sub(lambda m: f'{m.group(1)}{urljoin(page_url, m.group(2))}"', html)


def last_change() -> datetime:
    """When anything a feed may list last changed: an edit, or a post's publish time coming.

    Every post counts, live or not (one taken down moves its own updated_at), so the
    time never goes back and a feed reader's If-Modified-Since never hides a change.
    """
    changes = Article.objects.aggregate(
        edited=Max("updated_at"),
        published=Max("publish_at", filter=Q(publish_at__lte=timezone.now())),
    )
    return max((moment for moment in changes.values() if moment), default=timezone.now())


class LatestArticlesFeed(Feed):
    feed_type = Rss201rev2Feed
    link = reverse_lazy("articles:home")
    description_template = None

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().__call__(request, *args, **kwargs)
        # Django dates the feed by its newest item, which goes back when one leaves it.
        response["Last-Modified"] = http_date(last_change().timestamp())
        return response

    def title(self) -> str:
        return settings.PUBLICATION_NAME

    def description(self) -> str:
        return f"The latest essays and reporting from {settings.PUBLICATION_NAME}."

    def items(self) -> QuerySet[Article]:
        # The Markdown source and the preview as text are most of a row and unused here.
        return (
            Article.objects.published()
            .for_display()
            .defer("body", "body_text", "preview_text", "free_text_vector", "full_text_vector")[
                :FEED_LENGTH
            ]
        )

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        """A public post in full; a members-only post as the preview a visitor sees."""
        page_url = settings.SITE_URL + item.get_absolute_url()
        if access.decide(access.VISITOR, item).allowed:
            return absolute_links(item.body_html, page_url)
        gated = render_to_string(
            "articles/includes/feed_gated_item.html",
            {"article": item, "site_url": settings.SITE_URL},
        )
        return absolute_links(gated, page_url)

    def item_pubdate(self, item: Article):
        return item.publish_at

    def item_updateddate(self, item: Article):
        return item.updated_at

    def item_author_name(self, item: Article) -> str:
        return ", ".join(byline.contributor.name for byline in item.bylines.all())
