"""Whole pages for visitors from the shared cache, invalidated by any change they show."""

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_contributor, make_member, make_tier, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["per-process cache", "Redis"])
def page_cache(request, settings):
    """Every test runs on Django's local-memory cache and on a real Redis."""
    if request.param == "Redis":
        request.getfixturevalue("redis_cache")
    settings.PAGE_CACHE = True


def visitor() -> Client:
    return Client()


def test_a_visitors_second_request_is_served_without_the_database(django_assert_num_queries):
    article = make_article(title="Cached essay")
    assert "Cached essay" in visitor().get("/").content.decode()
    with django_assert_num_queries(0):
        again = visitor().get("/")
    assert "Cached essay" in again.content.decode()
    visitor().get(article.get_absolute_url())
    with django_assert_num_queries(0):
        assert visitor().get(article.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "change", ["article", "pull quote", "contributor", "topic", "tier", "byline"]
)
def test_every_change_a_page_shows_invalidates_it(change):
    writer = make_contributor(name="Old Name")
    tier = make_tier(name="Old Tier", slug="old")
    article = make_article(title="Old title", body="One.\n\nTwo.", contributors=[writer],
                           visibility=Article.Visibility.TIER, minimum_tier=tier)  # fmt: skip
    url = article.get_absolute_url()
    visitor().get(url)
    if change == "article":
        article.title = "New title"
        article.save()
    elif change == "pull quote":
        article.pull_quotes.create(text="New title", attribution="x", position=0)
    elif change == "contributor":
        writer.name = "New title"
        writer.save()
    elif change == "topic":
        article.topics.add(make_topic(name="New title"))
    elif change == "tier":
        tier.name = "New title"
        tier.save()
    else:
        article.bylines.create(contributor=make_contributor(name="New title"), order=1)
    assert "New title" in visitor().get(url).content.decode()


def test_members_and_their_pages_never_touch_the_shared_cache(django_user_model):
    article = make_article(
        body="Free.\n\nAlso free.\n\n<!--members-only-->\n\nPaid words.",
        visibility=Article.Visibility.MEMBERS,
    )
    member = Client()
    member.force_login(make_member())
    visitor().get(article.get_absolute_url())  # a visitor's copy is now cached

    page = member.get(article.get_absolute_url())

    assert "Paid words." in page.content.decode()  # not the visitor's copy
    assert "private" in page["Cache-Control"]
    assert "Paid words." not in visitor().get(article.get_absolute_url()).content.decode()


def test_any_cookie_bypasses_the_cache():
    make_article(title="Before")
    visitor().get("/")
    with connection.cursor() as cursor:  # behind the cache's back: no ORM, no invalidation
        cursor.execute(  # a new revision, as every write through the ORM makes
            "UPDATE articles_article SET title = %s, updated_at = %s",
            ["Changed behind", timezone.now()],
        )
    with_cookie = Client()
    with_cookie.cookies["csrftoken"] = "x" * 32
    assert "Changed behind" in with_cookie.get("/").content.decode()
    assert "Before" in visitor().get("/").content.decode()  # the stale copy, as expected


def test_without_a_shared_cache_pages_are_not_cached(settings, django_assert_num_queries):
    settings.PAGE_CACHE = False
    make_article()
    visitor().get("/")
    # The lead story, then the page, and the menus; cards are cached.
    with django_assert_num_queries(3):
        visitor().get("/")


def test_a_cached_page_keeps_its_security_headers_and_gets_a_request_id_of_its_own():
    make_article()
    first = visitor().get("/")
    hit = visitor().get("/", headers={"X-Request-ID": "from-the-load-balancer-1"})
    assert hit["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert hit["X-Request-ID"] == "from-the-load-balancer-1"
    assert len(visitor().get("/")["X-Request-ID"]) == 32
