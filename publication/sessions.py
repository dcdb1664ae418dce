"""Sessions in the shared cache (Redis) in front of the database, where one is configured:
a logged-in reader's request then reads no session row. Never in a cache of one process's
own, which would keep a session that another worker ended alive.

Django's cached_db store, reading the readers' generation with the session (one round
trip), with its failure paths made safe:
- a cache that fails is passed by, to read a session and to keep it (Django's own kept
  a session read from the database unguarded, failing the request);
- a session ends (logout) in the cache first: if the cache cannot be told, the session
  is not ended and the request fails, rather than end in the database and live on in the
  cache, to come back with it. Only the key a login replaces, which held no login, is
  let go of with a warning, so readers can still log in while the cache is away.

The session is asked for as the request comes in (SessionMiddleware) and its answer
taken where the request first reads it: waiting on Redis then was a fifth of a
member's page, and the page's own work now covers the round trip.
"""

import contextlib
import logging

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions import middleware
from django.contrib.sessions.backends import cached_db, db

from members import readers

logger = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    replacing_anonymous = False  # while a login replaces a key that held no login
    readers_generation = None  # read with the session, for the reader (members/readers.py)
    asked = None  # the session's read, sent as the request came in

    def ask(self) -> None:
        """Send the session's read now: load() takes its answer."""
        if self.session_key is not None:
            with contextlib.suppress(Exception):  # load() reads it again, and says why not
                self.asked = self._cache.ask_many(self.read_keys())

    def read_keys(self) -> list[str]:
        return [self.cache_key, readers.GENERATION_KEY]

    def take_answer(self) -> dict | None:
        """The answer to the read asked for, if one was and Redis gave it. Taking it gives
        its connection back to the pool; a failed answer has closed its connection."""
        asked, self.asked = self.asked, None
        if asked is not None:
            with contextlib.suppress(Exception):
                return asked.answer()
        return None

    def read(self) -> dict:
        """The answer asked for, else a read now. (An answer for a key since replaced
        holds no session under the key load() looks up.)"""
        found = self.take_answer()
        return found if found is not None else self._cache.get_many(self.read_keys())

    def load(self) -> dict:
        try:
            found = self.read()
            self.readers_generation = readers.generation_from(found)
            data = found.get(self.cache_key)
        except Exception:
            data = None
        if data is not None:
            return data
        session = self._get_session_from_db()
        if session is None:
            return {}
        data = self.decode(session.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=session.expire_date))
        except Exception:
            logger.warning("A session could not be kept in the shared cache")
        return data

    def exists(self, session_key) -> bool:
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:
            logger.warning("The shared cache could not say whether a session exists")
        return db.SessionStore.exists(self, session_key)

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
        except Exception:
            if not self.replacing_anonymous:
                raise
            logger.warning("The shared cache could not forget a key a login replaced")
        db.SessionStore.delete(self, session_key)


class SessionMiddleware(middleware.SessionMiddleware):
    """Django's, asking the shared cache for the session as the request comes in."""

    def process_request(self, request) -> None:
        super().process_request(request)
        if isinstance(request.session, SessionStore):
            request.session.ask()

    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        finally:
            if isinstance(getattr(request, "session", None), SessionStore):
                request.session.take_answer()  # one no page read
