import re

from django.conf import settings
from django.contrib.sitemaps.views import sitemap
from django.urls import path, re_path

from . import feeds, media, views
from .sitemaps import SITEMAPS

app_name = "articles"

urlpatterns = [
    path("", views.FrontPageView.as_view(), name="home"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="article-detail"),
    path("contributors/", views.ContributorListView.as_view(), name="contributor-list"),
    path(
        "contributors/<slug:slug>/",
        views.ContributorDetailView.as_view(),
        name="contributor-detail",
    ),
    path("topics/", views.TopicListView.as_view(), name="topic-list"),
    path("topics/<slug:slug>/", views.TopicDetailView.as_view(), name="topic-detail"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feed/", feeds.LatestArticlesFeed(), name="feed"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]

if not settings.AWS_STORAGE_BUCKET_NAME and settings.MEDIA_URL.startswith("/"):
    # Uploads kept on this machine are served by the site; on object storage they are not.
    urlpatterns.append(
        re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$", media.media)
    )
