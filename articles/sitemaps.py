from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from .models import Article, Contributor, Topic


class ArticleSitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> QuerySet[Article]:
        return Article.objects.published().only("slug", "updated_at")

    def lastmod(self, item: Article):
        return item.updated_at


class ContributorSitemap(Sitemap):
    changefreq = "monthly"

    def items(self) -> QuerySet[Contributor]:
        return Contributor.objects.filter(
            bylines__article__in=Article.objects.published()
        ).distinct()


class TopicSitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> QuerySet[Topic]:
        return Topic.objects.all()


class PageSitemap(Sitemap):
    changefreq = "daily"

    def items(self) -> list[str]:
        return [
            "articles:home",
            "articles:topic-list",
            "articles:contributor-list",
            "members:packages",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "contributors": ContributorSitemap,
    "topics": TopicSitemap,
}
