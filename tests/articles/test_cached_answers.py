"""List pages' posts and search results cached in Redis (publication/answers.py): served
again without asking the database for them, never across a change or past the next
post's publish time, a search never to a reader who may read other posts, and made
afresh whenever Redis fails."""

import re
import time
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from articles.models import Article
from members.access import Reader, readable, readable_key
from publication.answers import CachedAnswer
from tests.conftest import use_redis
from tests.factories import make_article, make_contributor, make_member, make_tier, make_topic
from tests.publication.test_pagecache_faults import StandIn

pytestmark = pytest.mark.django_db

PAID = "Paid words about zebras."


@pytest.fixture
def search_cache(settings, redis_cache):
    settings.LIST_CACHE = True
    return redis_cache


list_cache = search_cache


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="card__title"><a href="[^"]*">([^<]*)</a>', html)


def test_a_search_made_again_is_answered_without_the_database(
    search_cache, django_assert_num_queries
):
    for n in range(3):
        make_article(title=f"Ledger {n}")
    first = Client().get("/search/?q=Ledger").content.decode()
    with django_assert_num_queries(0):  # the results cached, and their cards
        again = Client().get("/search/?q=Ledger").content.decode()
    assert again == first
    assert sorted(titles(again)) == ["Ledger 0", "Ledger 1", "Ledger 2"]
    assert "3 results for “Ledger”" in again


def test_a_list_page_asked_again_is_answered_without_the_database(
    list_cache, settings, django_assert_num_queries
):
    settings.ARTICLES_PER_PAGE = 2
    topic, writer = make_topic(), make_contributor()
    featured = make_article(title="Featured one", featured=True, topics=[topic])
    for n in range(3):
        make_article(title=f"Ledger {n}", contributors=[writer], topics=[topic])
    member = Client()
    member.force_login(make_member())
    for address in ["/", "/?page=2", topic.get_absolute_url(), writer.get_absolute_url()]:
        first = Client().get(address).content.decode()
        with django_assert_num_queries(0):  # the topic and the writer are cached too
            again = Client().get(address).content.decode()
        assert again == first, address
        # A member is shown the same list, from the same cached answer.
        assert titles(member.get(address).content.decode()) == titles(first)
    front = Client().get("/").content.decode()
    assert titles(front) == ["Ledger 0", "Ledger 1"]  # the lead card's title is no h3
    assert titles(Client().get("/?page=2").content.decode()) == ["Ledger 2"]
    assert front.index(featured.title) < front.index('id="latest-heading"')


def test_the_feed_asked_again_makes_no_query_and_shows_every_change(
    list_cache, django_assert_num_queries
):
    post = make_article(title="Ledger first")
    first = Client().get("/feed/")
    with django_assert_num_queries(0):
        again = Client().get("/feed/")
    assert again.content == first.content and again["ETag"] == first["ETag"]
    post.title = "Ledger renamed"
    post.save()
    changed = Client().get("/feed/")
    assert b"<title>Ledger renamed</title>" in changed.content
    assert changed["ETag"] != first["ETag"]


def test_any_change_shows_in_the_next_list(list_cache):
    topic = make_topic()
    post = make_article(title="Ledger first", topics=[topic])
    for address in ["/", topic.get_absolute_url()]:
        assert titles(Client().get(address).content.decode()) == ["Ledger first"]
    make_article(title="Ledger second", topics=[topic])
    post.title = "Ledger renamed"
    post.save()
    for address in ["/", topic.get_absolute_url()]:
        assert sorted(titles(Client().get(address).content.decode())) == [
            "Ledger renamed",
            "Ledger second",
        ]
    post.delete()
    topic.articles.clear()
    for address in ["/", topic.get_absolute_url()]:
        shown = titles(Client().get(address).content.decode())
        assert shown == (["Ledger second"] if address == "/" else []), address


@pytest.mark.parametrize("write", ["save", "update"])
def test_a_renamed_topic_or_writer_shows_at_once_and_a_deleted_one_is_gone(list_cache, write):
    topic, writer = make_topic(name="Ledgers"), make_contributor(name="Ann Ledger")
    make_article(contributors=[writer], topics=[topic])
    for thing, name in [(topic, "Ledgers"), (writer, "Ann Ledger")]:
        address = thing.get_absolute_url()
        assert f"<h1>{name}</h1>" in Client().get(address).content.decode()
        if write == "save":
            thing.name = "Renamed"
            thing.save()
        else:
            type(thing).objects.filter(pk=thing.pk).update(name="Renamed")
        assert "<h1>Renamed</h1>" in Client().get(address).content.decode()
    writer.bylines.all().delete()
    for thing in (topic, writer):
        thing.delete()
        assert Client().get(thing.get_absolute_url()).status_code == 404


def test_a_post_asked_again_makes_no_query_and_follows_every_change(
    list_cache, django_assert_num_queries
):
    post = make_article(title="Ledger first", body="Free.\n\n<!--members-only-->\n\nPaid.")
    Client().get(post.get_absolute_url())
    with django_assert_num_queries(0):  # its row cached whole, its fragments rendered
        assert "Ledger first" in Client().get(post.get_absolute_url()).content.decode()
    Article.objects.filter(pk=post.pk).update(visibility=Article.Visibility.MEMBERS)
    gated = Client().get(post.get_absolute_url()).content.decode()
    assert "Free." in gated and "Paid." not in gated
    post.refresh_from_db()
    post.title = "Ledger renamed"
    post.save()
    assert "Ledger renamed" in Client().get(post.get_absolute_url()).content.decode()
    Article.objects.filter(pk=post.pk).update(status=Article.Status.DRAFT)
    assert Client().get(post.get_absolute_url()).status_code == 404


def test_a_scheduled_post_comes_out_on_time_at_its_address(list_cache):
    make_article(title="Ledger out")
    coming = timezone.now() + timedelta(seconds=1.5)
    post = make_article(title="Ledger coming", status=Article.Status.SCHEDULED, publish_at=coming)
    assert Client().get(post.get_absolute_url()).status_code == 404
    time.sleep((coming - timezone.now()).total_seconds() + 0.05)
    assert Client().get(post.get_absolute_url()).status_code == 200


def test_a_scheduled_post_comes_out_on_time_though_nothing_changed(list_cache):
    make_article(title="Ledger out")
    coming = timezone.now() + timedelta(seconds=1.5)
    make_article(title="Ledger coming", status=Article.Status.SCHEDULED, publish_at=coming)
    assert titles(Client().get("/").content.decode()) == ["Ledger out"]
    assert titles(Client().get("/search/?q=Ledger").content.decode()) == ["Ledger out"]
    time.sleep((coming - timezone.now()).total_seconds() + 0.05)
    assert titles(Client().get("/").content.decode()) == ["Ledger coming", "Ledger out"]
    found = titles(Client().get("/search/?q=Ledger").content.decode())
    assert sorted(found) == ["Ledger coming", "Ledger out"]


def test_a_later_page_is_cached_with_its_number_and_links(search_cache, settings):
    settings.ARTICLES_PER_PAGE = 2
    for n in range(5):
        make_article(title=f"Ledger {n}")
    first = Client().get("/search/?q=Ledger&page=2").content.decode()
    again = Client().get("/search/?q=Ledger&page=2").content.decode()
    assert again == first
    assert "<span>Page 2</span>" in again
    assert 'rel="prev" href="?q=Ledger&amp;page=1"' in again
    assert 'rel="next" href="?q=Ledger&amp;page=3"' in again


def test_any_change_shows_in_the_next_search(search_cache):
    post = make_article(title="Ledger first")
    assert titles(Client().get("/search/?q=Ledger").content.decode()) == ["Ledger first"]
    make_article(title="Ledger second", publish_at=post.publish_at)
    assert sorted(titles(Client().get("/search/?q=Ledger").content.decode())) == [
        "Ledger first",
        "Ledger second",
    ]
    post.title = "Ledger renamed"
    post.save()
    post.refresh_from_db()
    found = titles(Client().get("/search/?q=Ledger").content.decode())
    assert sorted(found) == ["Ledger renamed", "Ledger second"]
    post.delete()
    assert titles(Client().get("/search/?q=Ledger").content.decode()) == ["Ledger second"]


@pytest.mark.parametrize("member_first", [True, False], ids=["member first", "visitor first"])
def test_readers_who_may_read_other_posts_never_share_results(search_cache, member_first):
    """A members-only post matches the words past its cut for members alone."""
    make_article(
        title="Field notes",
        body=f"Free words.\n\n<!--members-only-->\n\n{PAID}",
        visibility="members",
    )
    member, visitor = Client(), Client()
    member.force_login(make_member())
    order = [(member, ["Field notes"]), (visitor, [])]
    for reader, expected in order if member_first else order[::-1]:
        assert titles(reader.get("/search/?q=zebras").content.decode()) == expected


def test_readers_who_may_read_the_same_posts_share_results(search_cache):
    tier = make_tier(rank=1)
    make_article(
        title="Field notes",
        body=f"Free words.\n\n<!--members-only-->\n\n{PAID}",
        visibility="members",
    )
    first, second = Client(), Client()
    first.force_login(make_member(tier=tier))
    second.force_login(make_member(tier=tier))
    assert titles(first.get("/search/?q=zebras").content.decode()) == ["Field notes"]
    rule = readable_key(Reader(user_id=2, tier=tier))
    assert CachedAnswer("search", rule, "1", "zebras").get() is not None
    assert titles(second.get("/search/?q=zebras").content.decode()) == ["Field notes"]


def test_the_key_of_what_a_reader_may_read_is_all_the_rule_asks():
    """Readers with the same key get the same rule (so may share results), and readers
    with different rules never get the same key."""
    low, high = make_tier(rank=1), make_tier(rank=2)
    writer = make_contributor()
    readers = [
        Reader(),
        Reader(user_id=1),
        Reader(user_id=2, lapsed=True),
        Reader(user_id=3, tier=low),
        Reader(user_id=4, tier=low),
        Reader(user_id=5, tier=high),
        Reader(user_id=6, contributor_id=writer.pk),
        Reader(user_id=7, contributor_id=writer.pk, tier=low),
        Reader(user_id=8, is_staff=True),
        Reader(user_id=9, is_staff=True, tier=high),
    ]
    for one in readers:
        for other in readers:
            same_rule = str(readable(one)) == str(readable(other))
            assert (readable_key(one) == readable_key(other)) == same_rule, (one, other)
    assert len({readable_key(reader) for reader in readers}) == 6


@pytest.mark.parametrize("address", ["/search/?q=Ledger", "/"], ids=["search", "list"])
@pytest.mark.parametrize("mode", ["late", "garbage", "reset"])
def test_a_bad_redis_makes_lists_afresh_in_bounded_time(
    settings, redis_url, request, mode, address, caplog
):
    server = StandIn(mode, redis_url)
    request.addfinalizer(server.close)
    settings.LIST_CACHE = True
    use_redis(settings, server.url)
    make_article(title="Ledger afresh")
    timings = []
    for _ in range(4):
        started = time.monotonic()
        found = titles(Client().get(address).content.decode())
        timings.append(time.monotonic() - started)
        assert found == ["Ledger afresh"]
    # The first request meets the failure, bounded by the socket timeout; the others
    # leave Redis alone while its breaker is open.
    assert timings[0] < 1.0 and max(timings[1:]) < 0.3
    assert "Redis failed" in caplog.text


def test_redis_is_asked_again_once_its_breaker_closes(search_cache):
    make_article(title="Ledger back")
    key = CachedAnswer("search", readable_key(Reader()), "1", "Ledger").key
    caches["default"].breaker.trip(RuntimeError("stand-in"), 0.2)
    assert titles(Client().get("/search/?q=Ledger").content.decode()) == ["Ledger back"]
    in_redis = search_cache._cache.get_client().exists
    assert not in_redis(search_cache.make_key(key))  # the breaker was open: Redis left alone
    time.sleep(0.25)
    assert titles(Client().get("/search/?q=Ledger").content.decode()) == ["Ledger back"]
    assert in_redis(search_cache.make_key(key))
