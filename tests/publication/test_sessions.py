"""Sessions in Redis before the database (publication/sessions.py), on a real Redis: each
Client is a worker of its own, as gunicorn's are."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from tests.conftest import use_redis
from tests.factories import make_member, make_tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def sessions_in_redis(settings, redis_cache):
    settings.SESSION_ENGINE = "publication.sessions"
    return redis_cache


@pytest.fixture
def redis_down(settings):
    settings.SESSION_ENGINE = "publication.sessions"
    use_redis(settings, "redis://127.0.0.1:9/0")


def logged_in(client: Client) -> bool:
    return "Log out" in client.get("/account/", follow=True).content.decode()


def test_a_members_request_reads_no_session_row(sessions_in_redis, django_assert_max_num_queries):
    member = Client()
    member.force_login(make_member(make_tier()))
    with django_assert_max_num_queries(10) as queries:
        assert member.get("/account/").status_code == 200
    assert not any("django_session" in q["sql"] for q in queries.captured_queries)


def test_logging_out_in_one_worker_ends_the_session_in_every_other(sessions_in_redis):
    one, other = Client(), Client()
    one.force_login(make_member(make_tier()))
    other.cookies["sessionid"] = one.cookies["sessionid"].value
    assert logged_in(other)
    one.post("/accounts/logout/")
    assert not logged_in(other)
    assert not Session.objects.exists()


def test_without_redis_members_are_served_from_the_database(redis_down, caplog):
    member = Client()
    member.force_login(make_member(make_tier()))
    assert logged_in(member)
    assert "A session could not be kept in Redis" in caplog.text


def test_a_logout_the_cache_cannot_hear_ends_nothing_and_says_so(redis_down):
    member = Client(raise_request_exception=False)
    member.force_login(make_member(make_tier()))
    assert member.post("/accounts/logout/").status_code == 500
    assert Session.objects.count() == 1  # still one session, in one place: not half ended
    assert logged_in(member)
