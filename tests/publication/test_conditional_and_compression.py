"""Conditional GET (304 where nothing changed) and compression, with and without the page cache."""

import gzip
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from articles.models import Article
from tests.conftest import use_redis
from tests.factories import image_upload, make_article, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["no page cache", "page cache on Redis"])
def page_cache(request, settings):
    if request.param != "no page cache":
        request.getfixturevalue("redis_cache")
        settings.PAGE_CACHE = True


def test_a_page_answers_304_to_its_etag_until_it_changes(page_cache):
    post = make_article(title="Before")
    visitor = Client()
    first = visitor.get(post.get_absolute_url())
    etag = first["ETag"]
    again = visitor.get(post.get_absolute_url(), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    post.title = "After"
    post.save()
    changed = visitor.get(post.get_absolute_url(), headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "After" in changed.content.decode()


def test_a_members_page_has_no_etag_and_is_never_a_304(page_cache):
    post = make_article(body="Free.\n\n<!--members-only-->\n\nPaid.", visibility="members")
    etag = Client().get(post.get_absolute_url())["ETag"]  # the visitor's page
    member = Client()
    member.force_login(make_member())
    page = member.get(post.get_absolute_url(), headers={"If-None-Match": etag})
    assert page.status_code == 200 and "Paid." in page.content.decode()
    assert not page.has_header("ETag")


def test_the_feed_answers_304_to_if_modified_since_until_anything_changes(page_cache):
    now = timezone.now()
    older = make_article(title="Older", publish_at=now - timedelta(days=2))
    newest = make_article(title="Newest", publish_at=now - timedelta(days=1))
    reader = Client()
    since = reader.get("/feed/")["Last-Modified"]
    assert reader.get("/feed/", headers={"If-Modified-Since": since}).status_code == 304

    time.sleep(1.1)  # HTTP dates count whole seconds
    # Taken down: the feed's newest remaining item is older, yet the feed did change.
    Article.objects.filter(pk=newest.pk).update(status=Article.Status.DRAFT)
    after = reader.get("/feed/", headers={"If-Modified-Since": since})
    assert after.status_code == 200
    assert "Newest" not in after.content.decode() and older.title in after.content.decode()


def test_a_post_deleted_outright_is_no_304(page_cache):
    make_article(title="Stays", publish_at=timezone.now() - timedelta(days=2))
    gone = make_article(title="Goes", publish_at=timezone.now() - timedelta(days=1))
    reader = Client()
    since = reader.get("/feed/")["Last-Modified"]
    time.sleep(1.1)  # HTTP dates count whole seconds
    gone.delete()  # no row is left to carry a date
    after = reader.get("/feed/", headers={"If-Modified-Since": since})
    assert after.status_code == 200 and "Goes" not in after.content.decode()


def test_the_feed_is_served_whole_when_its_date_cannot_be_kept(settings, caplog):
    use_redis(settings, "redis://127.0.0.1:9/0")
    make_article(title="Still served")
    response = Client().get(
        "/feed/", headers={"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}
    )
    assert response.status_code == 200 and "Still served" in response.content.decode()
    assert "Redis failed (ConnectionError" in caplog.text


def test_the_feed_changes_when_a_scheduled_post_goes_live(client):
    """No page cache here: it keeps lists for PAGE_CACHE_SECONDS, scheduled posts and all."""
    make_article(title="Live", publish_at=timezone.now() - timedelta(days=3))
    make_article(
        title="Scheduled",
        status=Article.Status.SCHEDULED,
        publish_at=timezone.now() + timedelta(seconds=1.5),
    )
    first = client.get("/feed/")
    assert "Scheduled" not in first.content.decode()
    time.sleep(2.5)
    response = client.get("/feed/", headers={"If-Modified-Since": first["Last-Modified"]})
    assert response.status_code == 200 and "Scheduled" in response.content.decode()


@pytest.mark.parametrize("url", ["/", "/feed/", "/sitemap.xml"])
def test_text_goes_out_gzipped_to_browsers_that_take_it(page_cache, url):
    make_article(title="Compressed essay")
    for _ in range(2):  # made, then (with the page cache) served from it
        plain = Client().get(url)
        packed = Client().get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert "Content-Encoding" not in plain
        assert packed["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in packed["Vary"]
        assert gzip.decompress(packed.content).count(b"\n") == plain.content.count(b"\n")


def test_pictures_are_not_gzipped_again(client):
    post = make_article(hero_image=image_upload(), hero_alt="x")
    response = client.get(post.hero_picture.src, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response


def test_static_files_are_served_as_brotli_and_gzip(collected_static):
    client = collected_static
    page = client.get("/").content.decode()
    stylesheet = page.split('<link rel="stylesheet" href="')[1].split('"')[0]
    brotli = client.get(stylesheet, headers={"Accept-Encoding": "gzip, br"})
    assert brotli["Content-Encoding"] == "br"
    assert client.get(stylesheet, headers={"Accept-Encoding": "gzip"})["Content-Encoding"] == "gzip"
