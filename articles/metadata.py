"""What a post page tells search engines and link previews about the post."""

from django.conf import settings
from django.http import HttpRequest

from .models import Article

GATED_SECTION_CLASS = "members-only"


def article_structured_data(article: Article, request: HttpRequest) -> dict:
    """Schema.org NewsArticle for the post, as JSON-LD."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.dek or article.preview_text[:300],
        "url": request.build_absolute_uri(article.get_absolute_url()),
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
        "publisher": {"@type": "Organization", "name": settings.PUBLICATION_NAME},
    }
    if article.hero_picture:
        data["image"] = [request.build_absolute_uri(article.hero_picture.src)]
    if article.visibility != Article.Visibility.PUBLIC:
        # How search engines ask paywalled posts to be marked; the gate stands in that section.
        data["isAccessibleForFree"] = False
        data["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": f".{GATED_SECTION_CLASS}",
        }
    return data
