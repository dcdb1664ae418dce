import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_contributor, make_member, make_tier, make_topic

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
    assert newest.findtext("link") == f"{settings.SITE_URL}/articles/{newer.slug}/"
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
    site = settings.SITE_URL  # the public address, not the request's Host
    assert urls == {
        f"{site}/",
        f"{site}/topics/",
        f"{site}/contributors/",
        f"{site}/membership/",
        f"{site}{live.get_absolute_url()}",
        f"{site}{writer.get_absolute_url()}",
        f"{site}{topic.get_absolute_url()}",
    }
    assert draft.get_absolute_url() not in response.content.decode()
    assert idle_writer.get_absolute_url() not in response.content.decode()


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_private_pages(client, settings):
    settings.SITE_URL = "https://news.example.com"
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    body = response.content.decode()
    assert "Disallow: /admin/\n" in body
    assert "Sitemap: https://news.example.com/sitemap.xml" in body


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


def test_a_package_posts_feed_item_names_its_package(client):
    make_article(
        body="Free one.\n\n<!--members-only-->\n\nThe secret paragraph.",
        visibility=Article.Visibility.TIER,
        minimum_tier=make_tier(name="Insider", slug="insider", rank=2),
    )
    (item,) = ET.fromstring(client.get("/feed/").content).find("channel").findall("item")
    assert "<p>This post is for Insider members. <a href=" in item.findtext("description")
    assert "The secret paragraph." not in item.findtext("description")


def test_every_address_in_the_feed_is_absolute(client, settings):
    settings.SITE_URL = "https://news.example.com"
    post = make_article(
        body="## A heading\n\n![A chart](/media/chart.png) and [another post](/articles/x/).\n\n"
        "[Elsewhere](https://example.org/page) and [below](#a-heading).",
    )
    gated = make_article(
        body="![Free chart](/media/free.png)\n\n<!--members-only-->\n\nPaid.",
        visibility=Article.Visibility.MEMBERS,
    )
    response = client.get("/feed/")
    descriptions = [
        item.findtext("description") for item in ET.fromstring(response.content).iter("item")
    ]
    addresses = [a for d in descriptions for a in re.findall(r'(?:href|src)="([^"]*)"', d)]
    assert "https://news.example.com/media/chart.png" in addresses
    assert "https://news.example.com/articles/x/" in addresses
    assert "https://example.org/page" in addresses
    assert f"https://news.example.com{post.get_absolute_url()}#a-heading" in addresses
    assert "https://news.example.com/media/free.png" in addresses
    assert f"https://news.example.com{gated.get_absolute_url()}" in addresses
    assert all(a.startswith(("https://", "http://")) for a in addresses), addresses


def test_the_feed_served_again_reads_no_post_and_shows_every_change_at_once(
    client, django_assert_num_queries
):
    writer = make_contributor(name="Ann Writer")
    post = make_article(title="First title", contributors=[writer], body="The whole text.")
    first = client.get("/feed/").content.decode()
    with django_assert_num_queries(1):  # the items' ids and revisions
        assert client.get("/feed/").content.decode() == first
    writer.name = "Ann Renamed"
    writer.save()
    Article.objects.filter(pk=post.pk).update(title="Second title")
    changed = client.get("/feed/").content.decode()
    assert "Ann Renamed" in changed and "Second title" in changed
    post.delete()
    assert "Second title" not in client.get("/feed/").content.decode()


def test_members_and_visitors_get_the_same_feed(client):
    tier = make_tier(name="Gold")
    make_article(
        title="For Gold",
        visibility="tier",
        minimum_tier=tier,
        body="Free.\n\n" + "Hidden sentence. " * 40,
    )
    member = Client()
    member.force_login(make_member(tier))
    as_member = member.get("/feed/").content.decode()
    assert as_member == client.get("/feed/").content.decode()
    assert "Hidden sentence" not in as_member
