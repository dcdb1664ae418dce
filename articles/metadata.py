"""What pages tell search engines and link previews: the post, and the publication itself."""

from functools import lru_cache
from urllib.parse import urljoin

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse

from . import share
from .models import Article

# The element that holds a members-only post's text, for readers entitled to it: where
# Google's paywalled-content markup says the paywall stands.
PAYWALLED_SECTION = ".post__body"


def logo_url(request: HttpRequest) -> str:
    return logo_at(origin(request))


def logo_at(origin: str) -> str:
    return urljoin(origin, static(share.LOGO))


def publisher(request: HttpRequest) -> dict:
    return publisher_at(origin(request))


def origin(request: HttpRequest) -> str:
    """Where the request was sent, as build_absolute_uri makes addresses absolute."""
    return f"{request.scheme}://{request.get_host()}/"


def publisher_at(origin: str) -> dict:
    return {
        "@type": "Organization",
        "name": settings.PUBLICATION_NAME,
        "url": urljoin(origin, reverse("articles:home")),
        "logo": {"@type": "ImageObject", "url": logo_at(origin)},
    }


def site_structured_data(request: HttpRequest) -> list[dict]:
    """Schema.org WebSite (with its search) and Organization, for the front page."""
    return site_structured_data_at(origin(request))


# The same on every request to one address (ALLOWED_HOSTS'), so made once per worker for
# each: it holds no post, and its callers do not change it.
@lru_cache(maxsize=8)
def site_structured_data_at(origin: str) -> list[dict]:
    search = urljoin(origin, reverse("articles:search"))
    return [
        {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": settings.PUBLICATION_NAME,
            "url": urljoin(origin, reverse("articles:home")),
            "potentialAction": {
                "@type": "SearchAction",
                "target": {
                    "@type": "EntryPoint",
                    "urlTemplate": f"{search}?q={{search_term_string}}",
                },
                "query-input": "required name=search_term_string",
            },
        },
        {"@context": "https://schema.org", **publisher_at(origin)},
    ]


def article_structured_data(article: Article, request: HttpRequest) -> dict:
    """Schema.org NewsArticle for the post, as JSON-LD."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.search_description or article.dek or article.preview_text[:300],
        "url": request.build_absolute_uri(article.get_absolute_url()),
        "image": [request.build_absolute_uri(article.share_picture.url)],
        "datePublished": article.publish_at,
        "dateModified": article.updated_at,
        "author": [
            {
                "@type": "Person",
                "name": byline.contributor.name,
                "url": request.build_absolute_uri(byline.contributor.get_absolute_url()),
            }
            for byline in article.bylines.all()
        ],
        "publisher": publisher(request),
    }
    if article.visibility != Article.Visibility.PUBLIC:
        # How search engines ask paywalled posts to be marked.
        data["isAccessibleForFree"] = False
        data["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": PAYWALLED_SECTION,
        }
    return data
