"""/topics/ and /contributors/: every topic, and everyone with posts out, each linked."""

import re

import pytest
from django.test import Client

from articles.models import Article
from tests.factories import make_article, make_contributor, make_topic

pytestmark = pytest.mark.django_db


def test_the_topics_page_lists_every_topic_with_the_posts_it_has_out(
    client, django_assert_num_queries
):
    policy, ai = make_topic(name="Policy", description="Rules."), make_topic(name="AI")
    make_article(topics=[policy])
    make_article(topics=[policy], visibility=Article.Visibility.MEMBERS)
    make_article(topics=[ai], status=Article.Status.DRAFT)

    with django_assert_num_queries(2):  # the topics, and the menus
        page = client.get("/topics/").content.decode()

    listed = re.findall(
        r'<a href="(/topics/[^"]+/)">([^<]+)</a></h2>\s*<p class="index-list__meta">([^<]+)</p>',
        page,
    )
    assert listed == [
        (ai.get_absolute_url(), "AI", "0 posts"),
        (policy.get_absolute_url(), "Policy", "2 posts · Rules."),
    ]


def test_the_contributors_page_lists_those_with_posts_out_in_pages(
    client, settings, django_assert_num_queries
):
    ada = make_contributor(name="Ada Lovelace", role_line="Analyst")
    make_article(contributors=[ada])
    make_article(contributors=[make_contributor(name="Draft Only")], status=Article.Status.DRAFT)
    make_contributor(name="Nothing Yet")

    with django_assert_num_queries(3):  # the page's contributors, their count, the menus
        page = client.get("/contributors/").content.decode()

    assert re.findall(r'class="index-list__name"><a href="([^"]+)">([^<]+)</a>', page) == [
        (ada.get_absolute_url(), "Ada Lovelace")
    ]
    assert '<p class="index-list__meta">Analyst · 1 post</p>' in page
    assert client.get("/contributors/?page=2").status_code == 404
    assert client.get("/contributors/?page=nope").status_code == 404


def test_the_index_pages_are_in_the_footer_and_the_sitemap():
    footer = Client().get("/").content.decode()
    assert '<a href="/topics/">Topics</a> · <a href="/contributors/">Contributors</a>' in footer
    sitemap = Client().get("/sitemap.xml").content.decode()
    assert "/topics/</loc>" in sitemap and "/contributors/</loc>" in sitemap
