"""Sessions in Redis before the database (Django's cached_db), where Redis is configured:
never in a cache of one process's own, which would keep a session another worker ended.

Django's store, with its failure paths made safe. Its cache (SESSION_CACHE_ALIAS) raises
CacheUnavailable rather than failing open (publication/cache.py), so:
- a Redis that fails is passed by, to read a session and to keep one: the database
  answers (Django's own keeps a session read from the database unguarded);
- a session ends (logout) in Redis first. If Redis cannot be told, the session is not
  ended and the request fails, rather than end in the database and come back from Redis
  when it returns. Only the key a login replaces, which held no login, is let go of
  with a warning, so readers can still log in while Redis is away.
"""

import logging

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import cached_db, db

from .cache import CacheUnavailable

logger = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    replacing_anonymous = False  # while a login replaces a key that held no login

    def load(self) -> dict:
        try:
            data = self._cache.get(self.cache_key)
        except CacheUnavailable:
            data = None
        if data is not None:
            return data
        session = self._get_session_from_db()
        if session is None:
            return {}
        data = self.decode(session.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=session.expire_date))
        except CacheUnavailable:
            logger.warning("A session could not be kept in Redis")
        return data

    def exists(self, session_key) -> bool:
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except CacheUnavailable:
            pass
        return db.SessionStore.exists(self, session_key)

    def save(self, must_create=False) -> None:
        db.SessionStore.save(self, must_create)
        try:
            self._cache.set(self.cache_key, self._session, self.get_expiry_age())
        except CacheUnavailable:
            logger.warning("A session could not be kept in Redis")

    def cycle_key(self) -> None:
        self.replacing_anonymous = SESSION_KEY not in self._get_session()
        try:
            super().cycle_key()
        finally:
            self.replacing_anonymous = False

    def delete(self, session_key=None) -> None:
        session_key = session_key or self.session_key
        if session_key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except CacheUnavailable:
            if not self.replacing_anonymous:
                raise
            logger.warning("Redis could not forget a session key a login replaced")
        db.SessionStore.delete(self, session_key)
