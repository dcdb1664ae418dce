"""The shared cache on a real Redis: the backend, and the page cache's copies per worker."""

from datetime import datetime

import pytest
from django.test import Client

from publication.cache import RedisCacheClient
from publication.pagecache import INVALIDATIONS, LocalPages
from tests.factories import make_article


def test_one_client_serves_every_call(redis_cache):
    client = redis_cache._cache
    assert isinstance(client, RedisCacheClient)
    assert client.get_client("a") is client.get_client("b", write=True)


def test_values_go_through_redis_and_back(redis_cache):
    moment = datetime(2026, 11, 27, 23, 40)
    redis_cache.set("moment", moment, 30)
    assert redis_cache.get("moment") == moment
    assert redis_cache.add("count", 1)
    assert redis_cache.incr("count") == 2
    assert redis_cache._cache.get_client().ttl(redis_cache.make_key("moment")) in range(25, 31)


# The page cache on Redis: each worker (here, each Client: a handler of its own) keeps
# the pages it served and hears of every invalidation through a subscription.


@pytest.fixture
def page_cache(settings, redis_cache):
    settings.PAGE_CACHE = True
    return redis_cache


def commands_processed(redis_cache) -> int:
    """Commands Redis has run, less the INFO that asks."""
    return redis_cache._cache.get_client().info("stats")["total_commands_processed"]


@pytest.mark.django_db
def test_a_worker_serves_its_own_copy_without_asking_redis(page_cache, django_assert_num_queries):
    article = make_article(title="Kept by the worker")
    worker = Client()
    assert "Kept by the worker" in worker.get(article.get_absolute_url()).content.decode()
    before = commands_processed(page_cache)
    with django_assert_num_queries(0):
        again = worker.get(article.get_absolute_url())
    assert commands_processed(page_cache) == before + 1  # the INFO above, nothing else
    assert "Kept by the worker" in again.content.decode()


@pytest.mark.django_db
def test_an_invalidation_reaches_every_worker(page_cache):
    article = make_article(title="Before the edit")
    workers = [Client(), Client()]
    for worker in workers * 2:  # each has its own copy now
        assert "Before the edit" in worker.get(article.get_absolute_url()).content.decode()
    article.title = "After the edit"
    article.save()
    for worker in workers:
        assert "After the edit" in worker.get(article.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_lost_subscription_sends_the_worker_back_to_redis(page_cache):
    article = make_article(title="Before the edit")
    worker = Client()
    worker.get(article.get_absolute_url())
    page_cache._cache.get_client().client_kill_filter(_type="pubsub")
    article.title = "After the edit"
    article.save()  # published while the worker was not listening
    assert "After the edit" in worker.get(article.get_absolute_url()).content.decode()
    article.title = "Third title"
    article.save()  # heard again on the new subscription
    worker.get(article.get_absolute_url())
    assert "Third title" in worker.get(article.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_without_redis_pages_are_made_afresh_and_edits_still_save(settings, caplog):
    settings.PAGE_CACHE = True
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "publication.cache.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"},
    }
    article = make_article(title="Served without a cache")
    article.title = "Saved without a cache"
    article.save()
    page = Client().get(article.get_absolute_url())
    assert page.status_code == 200 and "Saved without a cache" in page.content.decode()
    assert "The page cache could not be invalidated" in caplog.text
    assert "The page cache failed (ConnectionError); making pages afresh for 5 s" in caplog.text


def test_a_generation_read_before_an_invalidation_is_not_learnt(page_cache):
    """As between two threads of a worker: one reads Redis, another hears an edit."""
    local = LocalPages()
    _, heard_at_read = local.get("page:v3:x")
    assert local.confirmed
    page_cache.publish(INVALIDATIONS, "new generation")
    for _ in range(100):  # the message is on its way
        if local.get("page:v3:x")[1] > heard_at_read:
            break
    local.learn("seven", heard_at_read)
    assert local.generation is None
    local.learn("eight", local.heard)
    assert local.generation == "eight"
