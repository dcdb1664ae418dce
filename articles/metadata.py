"""What a post page tells search engines and link previews about the post."""

from django.conf import settings
from django.http import HttpRequest

from .models import Article


def article_structured_data(article: Article, request: HttpRequest) -> dict:
    """Schema.org NewsArticle for the post, as JSON-LD."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.dek,
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
    return data
