"""Sessions in the shared cache before the database (publication/sessions.py), on a real
Redis: each Client is a worker of its own, as gunicorn's are."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.test import Client, RequestFactory

from publication.sessions import SessionMiddleware, SessionStore
from tests.factories import make_member, make_tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def sessions_in_redis(settings, redis_cache):
    settings.SESSION_ENGINE = "publication.sessions"
    return redis_cache


@pytest.fixture
def redis_down(settings):
    settings.SESSION_ENGINE = "publication.sessions"
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "publication.cache.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"},
    }


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
    assert "A session could not be kept in the shared cache" in caplog.text


def test_a_logout_the_cache_cannot_hear_ends_nothing_and_says_so(redis_down):
    member = Client(raise_request_exception=False)
    member.force_login(make_member(make_tier()))
    assert member.post("/accounts/logout/").status_code == 500
    assert Session.objects.count() == 1  # still one session, in one place: not half ended
    assert logged_in(member)


def redis_calls(cache, command: str) -> int:
    return (
        cache._cache.get_client().info("commandstats").get(f"cmdstat_{command}", {}).get("calls", 0)
    )


def connections_in_use(cache) -> int:
    return len(cache._cache.get_client().connection_pool._in_use_connections)


def a_members_request(member_client: Client):
    request = RequestFactory().get("/")
    request.COOKIES["sessionid"] = member_client.cookies["sessionid"].value
    return request


def test_a_members_session_is_asked_for_once_as_the_request_comes_in(sessions_in_redis):
    member = Client()
    member.force_login(make_member(make_tier()))
    request = a_members_request(member)
    SessionMiddleware(lambda request: HttpResponse()).process_request(request)
    assert request.session.asked is not None and request.session.asked.keys[0].endswith(
        member.cookies["sessionid"].value
    )
    request.session.take_answer()
    member.get("/")
    before = {command: redis_calls(sessions_in_redis, command) for command in ("mget", "get")}
    assert logged_in(member)
    assert redis_calls(sessions_in_redis, "mget") == before["mget"] + 1  # the session, once
    assert redis_calls(sessions_in_redis, "get") == before["get"]
    assert connections_in_use(sessions_in_redis) == 0


def test_a_session_asked_for_and_never_read_gives_its_connection_back(sessions_in_redis):
    member = Client()
    member.force_login(make_member(make_tier()))
    request = a_members_request(member)
    response = SessionMiddleware(lambda request: HttpResponse("no session read"))(request)
    assert response.status_code == 200
    assert request.session.asked is None
    assert connections_in_use(sessions_in_redis) == 0
    assert sessions_in_redis.get_many(["a", "b"]) == {}  # the pool's connections still answer


def test_a_session_whose_answer_is_lost_is_read_again(sessions_in_redis, django_assert_num_queries):
    member = Client()
    user = make_member(make_tier())
    member.force_login(user)
    request = a_members_request(member)
    SessionMiddleware(lambda request: HttpResponse()).process_request(request)
    request.session.asked.connection.disconnect()  # the answer lost with its connection
    with django_assert_num_queries(0):  # read again from Redis, not from the database
        assert request.session[SESSION_KEY] == str(user.pk)
    assert connections_in_use(sessions_in_redis) == 0


def test_an_answer_for_another_session_key_is_never_taken(sessions_in_redis):
    one, other = Client(), Client()
    one.force_login(make_member(make_tier()))
    other_user = make_member(make_tier(name="Other"))
    other.force_login(other_user)
    session = SessionStore(one.cookies["sessionid"].value)
    session.ask()
    session._session_key = other.cookies["sessionid"].value
    assert session[SESSION_KEY] == str(other_user.pk)
    assert connections_in_use(sessions_in_redis) == 0
