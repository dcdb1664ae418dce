import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_contributor, make_topic

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_feed_lists_published_posts_newest_first_with_authors(client):
    writer = make_contributor(name="Ernie Smith")
    now = timezone.now()
    make_article(title="Older", contributors=[writer], publish_at=now - timedelta(days=2))
    newer = make_article(
        title="Newer & better", dek="Its dek.", contributors=[writer], publish_at=now
    )
    make_article(title="Draft", status=Article.Status.DRAFT)

    response = client.get("/feed/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    assert channel.findtext("title") == "The Ledger"
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["Newer & better", "Older"]
    newest = items[0]
    assert newest.findtext("link") == f"http://testserver/articles/{newer.slug}/"
    assert newest.findtext("description") == newer.body_html
    assert "Ernie Smith" in newest.findtext("{http://purl.org/dc/elements/1.1/}creator")


def test_sitemap_lists_published_posts_writers_and_topics_only(client):
    writer, topic = make_contributor(), make_topic()
    live = make_article(contributors=[writer], topics=[topic])
    draft = make_article(status=Article.Status.DRAFT, contributors=[make_contributor()])
    idle_writer = make_contributor()

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    urls = {loc.text for loc in ET.fromstring(response.content).findall(".//s:loc", SITEMAP_NS)}
    assert urls == {
        "http://testserver/",
        f"http://testserver{live.get_absolute_url()}",
        f"http://testserver{writer.get_absolute_url()}",
        f"http://testserver{topic.get_absolute_url()}",
    }
    assert draft.get_absolute_url() not in response.content.decode()
    assert idle_writer.get_absolute_url() not in response.content.decode()


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_private_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    body = response.content.decode()
    assert "Disallow: /admin/\n" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_feed_carries_only_the_preview_of_members_only_posts(client):
    make_article(
        title="Gated",
        dek="Free dek.",
        body="Free one.\n\nFree two.\n\n<!--members-only-->\n\nThe secret paragraph.",
        visibility=Article.Visibility.MEMBERS,
    )
    response = client.get("/feed/")
    (item,) = ET.fromstring(response.content).find("channel").findall("item")
    description = item.findtext("description")
    assert "Free two." in description
    assert "The secret paragraph." not in response.content.decode()
    assert "This post is for members only." in description
