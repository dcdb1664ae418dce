"""The one Redis policy (publication/cache.py), on a real Redis and on ones that fail:
short timeouts, one circuit breaker shared by every cache on a server, the default cache
failing open and the sessions' cache saying so."""

import socket
import time

import pytest
from django.core.cache import caches
from django.test import Client

from publication.cache import CacheUnavailable, RedisCacheClient
from tests.conftest import use_redis
from tests.factories import application_answers, make_article, make_member, make_tier

PAID = "Paid words past the cut."


def test_one_client_serves_every_call(redis_cache):
    client = redis_cache._cache
    assert isinstance(client, RedisCacheClient)
    assert client.get_client("a") is client.get_client("b", write=True)


def test_values_go_through_redis_and_back(redis_cache):
    redis_cache.set("answer", [1, "two"], 30)
    assert redis_cache.get("answer") == [1, "two"]
    assert redis_cache.add("count", 1)
    assert not redis_cache.add("count", 5)
    assert redis_cache.incr("count") == 2
    assert redis_cache._cache.get_client().ttl(redis_cache.make_key("answer")) in range(25, 31)


@pytest.fixture
def refusing(settings):
    """Redis configured where nothing listens: every connection is refused."""
    use_redis(settings, "redis://127.0.0.1:9/0")
    settings.SESSION_ENGINE = "publication.sessions"


@pytest.fixture
def hung(settings):
    """A Redis that accepts connections and never answers: a paused or wedged server."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)
    use_redis(settings, f"redis://127.0.0.1:{listener.getsockname()[1]}/0")
    settings.SESSION_ENGINE = "publication.sessions"
    yield
    listener.close()


def test_a_failing_default_cache_answers_as_an_empty_one_that_takes_every_write(refusing):
    cache = caches["default"]
    assert cache.get("a", "missing") == "missing"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("a", 1) is True  # so a lock (allauth's rate limits) is taken
    assert cache.set("a", 1) is None
    assert cache.has_key("a") is False
    with pytest.raises(ValueError, match="not found"):
        cache.incr("a")  # as for a key it does not have: a rate limit counts from 1


def test_the_sessions_cache_says_it_failed(refusing):
    with pytest.raises(CacheUnavailable):
        caches["sessions"].get("a")
    with pytest.raises(CacheUnavailable):
        caches["sessions"].delete("a")


def test_one_failure_opens_the_breaker_for_every_cache_on_that_redis(hung, caplog):
    started = time.monotonic()
    assert caches["default"].get("a") is None
    first = time.monotonic() - started
    assert 0.15 < first < 0.5  # one socket timeout, and no retries
    started = time.monotonic()
    for _ in range(20):
        caches["default"].get("a")
        with pytest.raises(CacheUnavailable):
            caches["sessions"].get("a")
    assert time.monotonic() - started < 0.05  # nothing sent while the breaker is open
    assert caplog.text.count("Redis failed (TimeoutError") == 1


def test_the_breaker_closes_after_its_time(redis_cache):
    redis_cache.breaker.trip(RuntimeError("stand-in"), 0.2)
    redis_cache.set("a", 1)  # not sent
    assert not redis_cache._cache.get_client().exists(redis_cache.make_key("a"))
    time.sleep(0.25)
    redis_cache.set("a", 1)
    assert redis_cache.get("a") == 1


@pytest.mark.django_db
def test_with_redis_hung_every_page_answers_quickly_after_the_first_tries(hung, settings):
    settings.PAGE_CACHE = settings.LIST_CACHE = True
    tier = make_tier()
    post = make_article(body=f"Free.\n\n<!--members-only-->\n\n{PAID}", visibility="members")
    member = Client()
    member.force_login(make_member(tier))  # its session kept in the database alone
    visitor = Client()
    pages = ["/", post.get_absolute_url(), "/search/?q=paid", "/feed/", "/membership/"]
    for client in (visitor, member):
        client.get("/")  # the first tries meet the timeout and open the breaker
    for client, reads_paid in ((visitor, False), (member, True)):
        for page in [*pages, f"{post.get_absolute_url()}?utm_source=letter"]:
            started = time.monotonic()
            response = client.get(page)
            assert response.status_code == 200, page
            assert time.monotonic() - started < 0.3, page
            if page.startswith(post.get_absolute_url()):
                assert (PAID in response.content.decode()) == reads_paid
    started = time.monotonic()
    assert member.get("/account/").status_code == 200
    assert time.monotonic() - started < 0.3


@pytest.mark.django_db
@pytest.mark.parametrize("redis", ["refusing", "hung"])
def test_with_redis_away_readers_still_log_in_apply_and_reset(redis, request, caplog):
    """Rate limits (allauth's and the waitlist's) fail open while the breaker is open,
    and say so once; nothing answers 500."""
    request.getfixturevalue(redis)
    tier = make_tier()
    member = make_member(tier, email="reader@example.com")
    member.set_password("a-long-password-9")
    member.save()
    browser = Client(raise_request_exception=False)
    answers = {
        "/accounts/login/": {"login": "reader@example.com", "password": "a-long-password-9"},
        "/accounts/password/reset/": {"email": "reader@example.com"},
        "/accounts/login/code/": {"email": "reader@example.com"},
        "/membership/apply/": application_answers(tier, email="new@example.com"),
        "/membership/application/link/": {"email": "new@example.com"},
    }
    for address, data in answers.items():
        response = Client(raise_request_exception=False).post(address, data)
        assert response.status_code == 302, (address, response.status_code)
    assert browser.post("/accounts/login/", answers["/accounts/login/"]).status_code == 302
    assert "Log out" in browser.get("/account/").content.decode()
    assert caplog.text.count("rate limits are not enforced") == 1
