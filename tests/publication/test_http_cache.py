"""The headers an HTTP cache in front (nginx, a CDN) reads: visitors' pages may be kept a
short while, shared; nothing a cookie, a session or the gate's decision can change."""

import pytest
from django.conf import settings
from django.test import Client

from members.links import application_url
from tests.factories import image_upload, make_application, make_article, make_member, make_tier

pytestmark = pytest.mark.django_db

SHARED = "public, max-age=0, s-maxage=60"
PRIVATE = "private, no-store"


@pytest.fixture
def posts():
    patron = make_tier(name="Patron")
    return {
        "public": make_article(slug="open"),
        "members": make_article(
            slug="paid",
            visibility="tier",
            minimum_tier=patron,
            body="Free words.\n\n<!--members-only-->\n\nPaid words.",
        ),
        "patron": patron,
    }


@pytest.mark.parametrize(
    "path", ["/", "/articles/open/", "/articles/paid/", "/topics/", "/feed/", "/membership/"]
)
def test_a_visitors_page_may_be_kept_by_a_shared_cache_a_short_while(posts, path):
    response = Client().get(path)
    assert response["Cache-Control"] == SHARED
    assert "Cookie" in response["Vary"]
    if path == "/articles/paid/":
        assert "Paid words." not in response.content.decode()  # what every visitor reads


def test_how_long_is_a_setting(posts, settings):
    settings.SHARED_CACHE_SECONDS = 15
    assert Client().get("/").get("Cache-Control") == "public, max-age=0, s-maxage=15"


def test_a_request_with_any_cookie_is_kept_by_no_one(posts):
    visitor = Client()
    visitor.cookies["csrftoken"] = "x" * 32
    assert visitor.get("/articles/open/")["Cache-Control"] == PRIVATE


def test_a_members_page_is_kept_by_no_one(posts):
    member = Client()
    member.force_login(make_member(posts["patron"]))
    response = member.get("/articles/paid/")
    assert "Paid words." in response.content.decode()
    assert response["Cache-Control"] == PRIVATE


def test_a_page_that_sets_a_cookie_is_kept_by_no_one():
    response = Client().get("/membership/apply/")
    assert "csrftoken" in response.cookies
    assert response["Cache-Control"] == PRIVATE


def test_an_applicants_own_link_keeps_its_never_cache(posts):
    response = Client().get(application_url(make_application()).removeprefix(settings.SITE_URL))
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_an_error_is_kept_by_no_one():
    response = Client().get("/articles/no-such-post/")
    assert (response.status_code, response["Cache-Control"]) == (404, PRIVATE)


def test_pictures_keep_their_own_long_lives():
    article = make_article(hero_image=image_upload(), hero_alt="A view")
    response = Client().get(article.hero_picture.src)
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
