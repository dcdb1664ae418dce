"""Django's Redis cache backend, keeping one Redis client per server; and pub/sub.

Django makes a new redis.Redis for every cache call, and redis-py rebuilds its
table of some 165 response callbacks for each new client (redis/redis-py#3624):
a third of the time of a page served from the page cache. A client is
thread-safe and only wraps its connection pool, so one per pool serves all.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        if id(pool) not in self._clients:
            self._clients[id(pool)] = self._client(connection_pool=pool)
        return self._clients[id(pool)]


class RedisCache(redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def publish(self, channel: str, message: str) -> None:
        self._cache.get_client(write=True).publish(channel, message)

    def subscribe(self, channel: str):
        """A subscription to `channel`, read with get_message.

        It does not wait for the server to confirm: the first message read is the
        confirmation, and only from then on is nothing published missed.
        """
        subscription = self._cache.get_client(write=True).pubsub()
        subscription.subscribe(channel)
        return subscription
