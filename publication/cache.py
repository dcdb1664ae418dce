"""The one policy for Redis: every cache on it (sessions, the page cache, cached answers
and rate limits) goes through Django's Redis backend behind one circuit breaker.

Redis only saves work, so it may never hold a request for long:
- each call gives up after the socket timeouts (REDIS_TIMEOUT_MS);
- a call that fails opens the breaker of that Redis for this process: for
  REDIS_RETRY_SECONDS no call is sent to it, so a Redis that is down, paused or hung
  costs one timeout per worker, not one per call.

What a call answers while it fails, or while the breaker is open, is the cache's own
choice (OPTIONS["fail_open"]):
- fail_open: an empty cache that accepts every write. A read misses, add() succeeds,
  incr() finds no key. Pages are made from the database and rate limits (allauth's and
  members/ratelimit.py) let every request through, which the breaker logs as it opens.
- otherwise CacheUnavailable is raised, for callers that must know: a session store
  cannot end a session in a Redis it cannot reach (publication/sessions.py).

Django makes a new redis.Redis for every cache call, and redis-py rebuilds its table of
response callbacks for each new client (redis/redis-py#3624); a client only wraps its
connection pool and is thread-safe, so one per pool serves every call.
"""

import logging
import threading
import time

from django.core.cache.backends import redis as django_redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class CacheUnavailable(Exception):
    """Redis failed, or its breaker is open: nothing was read or written."""


class CircuitBreaker:
    """Whether calls to one Redis may be made from this process, and from when again."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open_until = 0.0

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self, error: Exception, seconds: float) -> None:
        with self.lock:
            if not self.is_open():
                logger.warning(
                    "Redis failed (%s: %s): not asked for %s s. Pages come from the database"
                    " and rate limits are not enforced meanwhile.",
                    type(error).__name__,
                    error,
                    seconds,
                )
            self.open_until = time.monotonic() + seconds

    def close(self) -> None:
        self.open_until = 0.0


# One breaker per Redis server, shared by every cache configured on it.
breakers: dict[str, CircuitBreaker] = {}


def breaker_for(location: str) -> CircuitBreaker:
    return breakers.setdefault(location, CircuitBreaker())


class RedisCacheClient(django_redis.RedisCacheClient):
    """Django's, keeping one redis.Redis per connection pool."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        if id(pool) not in self._clients:
            self._clients[id(pool)] = self._client(connection_pool=pool)
        return self._clients[id(pool)]


class RedisCache(django_redis.RedisCache):
    """Django's Redis cache behind the breaker of its server (see the module docstring)."""

    def __init__(self, server, params) -> None:
        options = dict(params.get("OPTIONS", {}))
        self.fail_open = options.pop("fail_open", False)
        self.retry_seconds = options.pop("retry_seconds", 5)
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = RedisCacheClient
        self.breaker = breaker_for(str(server))

    def guarded(self, call, answer_when_failed, *args, **kwargs):
        if self.breaker.is_open():
            failure = CacheUnavailable("Redis is not asked while its breaker is open")
        else:
            try:
                return call(*args, **kwargs)
            except RedisError as error:  # refused, timed out, reset, full, or garbage
                self.breaker.trip(error, self.retry_seconds)
                failure = CacheUnavailable(f"{type(error).__name__}: {error}")
                failure.__cause__ = error
        if self.fail_open:
            return answer_when_failed
        raise failure

    def add(self, key, value, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return self.guarded(super().add, True, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self.guarded(super().get, default, key, default, version)

    def get_many(self, keys, version=None):
        return self.guarded(super().get_many, {}, keys, version)

    def set(self, key, value, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return self.guarded(super().set, None, key, value, timeout, version)

    def set_many(self, data, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return self.guarded(super().set_many, [], data, timeout, version)

    def touch(self, key, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return self.guarded(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self.guarded(super().delete, False, key, version)

    def delete_many(self, keys, version=None):
        return self.guarded(super().delete_many, None, keys, version)

    def has_key(self, key, version=None):
        return self.guarded(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        answer = self.guarded(super().incr, None, key, delta, version)
        if answer is None:  # failed open: as Django answers for a key it does not have
            raise ValueError(f"Key '{key}' not found.")
        return answer

    def clear(self):
        return self.guarded(super().clear, False)
