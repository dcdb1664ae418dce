import hashlib
import re
import time
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache, caches
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils.cache import set_response_etag
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.http import http_date

from members import access

from .listing import Listing
from .models import SEARCH_VECTORS, Article

FEED_LENGTH = 20
FIRST_SERVED = 90 * 24 * 60 * 60  # seconds a feed's first-served date is kept
FRAGMENT_SECONDS = 24 * 60 * 60

# Addresses in sanitised HTML (nh3 quotes every attribute with double quotes).
ADDRESS = re.compile(r'( (?:href|src)=")([^"]*)"')


# A picture's widths: "address 480w, address 960w" (the post's pictures, rendering.py).
SRCSET = re.compile(r'( srcset=")([^"]*)"')


def absolute_links(html: str, page_url: str) -> str:
    """Every address made absolute, as from the post's page: a feed reader has no page."""
    html = ADDRESS.sub(lambda m: f'{m.group(1)}{urljoin(page_url, m.group(2))}"', html)
    return SRCSET.sub(lambda m: f'{m.group(1)}{absolute_srcset(m.group(2), page_url)}"', html)


def absolute_srcset(srcset: str, page_url: str) -> str:
    candidates = (candidate.strip().split(" ", 1) for candidate in srcset.split(","))
    return ", ".join(" ".join([urljoin(page_url, c[0]), *c[1:]]) for c in candidates if c[0])


def first_served(response: HttpResponse) -> float | None:
    """When this exact feed (by its ETag, which cached_or_made gives it) was first served,
    by this site's cache.

    Django dates a feed by its newest item, which goes back when a post leaves it, and
    a post deleted outright moves no row at all. Dated by its content instead, a feed
    reader's If-Modified-Since never hides a change; a cache that lost the date only
    costs that reader one full answer, and one that fails leaves the feed undated.
    """
    key = f"feed:first-served:{response['ETag']}"
    if (date := cache.get(key)) is None:
        cache.add(key, time.time(), FIRST_SERVED)
        date = cache.get(key)  # the first date stored, if two workers raced to store one
    return date


class LatestArticlesFeed(Feed):
    feed_type = Rss201rev2Feed
    link = reverse_lazy("articles:home")
    description_template = None

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = self.cached_or_made(request, *args, **kwargs)
        if (date := first_served(response)) is not None:
            response["Last-Modified"] = http_date(date)
        return response

    def cached_or_made(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        """The feed as each worker last made it for these items at these revisions.

        It is the same for every reader (members-only posts as a visitor sees them), and
        the revisions of its items move with anything it shows (articles/revisions.py):
        served again, it costs its items' ids and revisions (a list page's answer,
        articles/listing.py) instead of every item's whole text. On a miss the items
        are read afresh, and the gate decides on each as it is then.
        """
        items = Listing()[0:FEED_LENGTH]
        key = "feed:" + hashlib.sha256(repr(items).encode()).hexdigest()
        fragments = caches["fragments"]
        if (hit := fragments.get(key)) is not None:
            content, content_type, etag = hit
            response = HttpResponse(content, content_type=content_type)
            response["ETag"] = etag  # made once per feed
            return response
        response = super().__call__(request, *args, **kwargs)
        del response["Last-Modified"]  # Django's: see first_served
        set_response_etag(response)
        made = (response.content, response["Content-Type"], response["ETag"])
        fragments.set(key, made, FRAGMENT_SECONDS)
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
            .defer("body", "body_text", "preview_text", *SEARCH_VECTORS)[:FEED_LENGTH]
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
