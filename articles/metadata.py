"""What pages tell search engines and link previews: the post, and the publication itself."""

from urllib.parse import urljoin

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

from . import share
from .models import Article

# The element that holds a members-only post's text, for readers entitled to it: where
# Google's paywalled-content markup says the paywall stands.
PAYWALLED_SECTION = ".post__body"


def absolute(path: str) -> str:
    """The public address of a path (or a storage's own address, as it is): on SITE_URL,
    never on the Host a request named, which a reader or a proxy chooses."""
    return urljoin(settings.SITE_URL + "/", path)


def logo_url() -> str:
    return absolute(static(share.LOGO))


def publisher() -> dict:
    return {
        "@type": "Organization",
        "name": settings.PUBLICATION_NAME,
        "url": absolute(reverse("articles:home")),
        "logo": {"@type": "ImageObject", "url": logo_url()},
    }


def site_structured_data() -> list[dict]:
    """Schema.org WebSite (with its search) and Organization, for the front page."""
    search = absolute(reverse("articles:search"))
    return [
        {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": settings.PUBLICATION_NAME,
            "url": absolute(reverse("articles:home")),
            "potentialAction": {
                "@type": "SearchAction",
                "target": {
                    "@type": "EntryPoint",
                    "urlTemplate": f"{search}?q={{search_term_string}}",
                },
                "query-input": "required name=search_term_string",
            },
        },
        {"@context": "https://schema.org", **publisher()},
    ]


def article_structured_data(article: Article) -> dict:
    """Schema.org NewsArticle for the post, as JSON-LD."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.search_description or article.dek or article.preview_text[:300],
        "url": absolute(article.get_absolute_url()),
        "image": [absolute(article.share_picture.url)],
        "datePublished": article.publish_at,
        "dateModified": article.updated_at,
        "author": [
            {
                "@type": "Person",
                "name": byline.contributor.name,
                "url": absolute(byline.contributor.get_absolute_url()),
            }
            for byline in article.bylines.all()
        ],
        "publisher": publisher(),
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
