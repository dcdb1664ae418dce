"""Each worker keeps the readers it loaded lately, while nothing about any reader changed.

A logged-in reader's request read the session from Redis, then the reader (user,
membership, tier, contributor profile) from PostgreSQL: that second round trip was a
fifth of a member's page. The session's read now brings the readers' generation along
in the same round trip (publication/sessions.py), and a worker makes the reader from its
own copy of the row while the generation it was loaded in stands, for READER_SECONDS at
most.

Every write to users, memberships, tiers and contributor profiles moves the generation
on: save() and delete() through signals (members/apps.py), update(), bulk_update() and
bulk_create() through ChangesReaders. So after any change, every worker loads its
readers again. A generation is a random token, never a counter: a Redis that loses the
key starts on one no copy was kept under. Without a shared cache, or while it fails, no
generation is known and every reader is loaded from the database, as before; a change
whose move the cache did not hear is seen within READER_SECONDS.
"""

import contextlib
import contextvars
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.cache import caches
from django.db import models, transaction

GENERATION_KEY = "readers:generation"
READER_SECONDS = 60  # the longest a copy is used: a bound on a change the cache missed
KEPT_READERS = 2000  # per worker; a row is about 1 KB

logger = logging.getLogger(__name__)

# The generation read with this request's session, only while its user is made.
_generation: contextvars.ContextVar[str | None] = contextvars.ContextVar("readers", default=None)


def changed(**_signal_arguments) -> None:
    move_on()
    # Again once the change is committed: a reader loaded meanwhile may not have it yet.
    transaction.on_commit(move_on)


def shared():
    """The cache sessions are kept in, where the generation is read with them."""
    return caches[settings.SESSION_CACHE_ALIAS]


def move_on() -> None:
    try:
        shared().set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        # The change stands; workers' copies of the reader last READER_SECONDS at most.
        logger.exception("The readers' generation could not be moved on")


def generation_from(found: dict) -> str | None:
    """The generation in what the session's read found, or None, starting a new one
    where the cache has none (never set, or lost): this request loads from the database."""
    generation = found.get(GENERATION_KEY)
    if generation is None:
        shared().add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    return generation


class KeptRows:
    """One worker's copies of readers' rows: (generation, loaded at, row) by user id."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rows: OrderedDict[object, tuple[str, float, Sequence]] = OrderedDict()

    def row(self, user_id, load: Callable[[object], Sequence | None]) -> Sequence | None:
        generation = _generation.get()
        if generation is None:
            return load(user_id)
        with self.lock:
            kept_in, loaded_at, row = self.rows.get(user_id, (None, 0.0, None))
            if kept_in == generation and time.monotonic() - loaded_at < READER_SECONDS:
                self.rows.move_to_end(user_id)
                return row
        row = load(user_id)
        if row is not None:
            with self.lock:
                self.rows[user_id] = (generation, time.monotonic(), row)
                self.rows.move_to_end(user_id)
                if len(self.rows) > KEPT_READERS:
                    self.rows.popitem(last=False)
        return row


kept_rows = KeptRows()


@contextlib.contextmanager
def in_generation(generation: str | None):
    token = _generation.set(generation)
    try:
        yield
    finally:
        _generation.reset(token)


class ChangesReaders(models.QuerySet):
    """Writes in bulk to rows a reader is made of: Django sends them no signal."""

    def update(self, **kwargs) -> int:
        rows = super().update(**kwargs)
        changed()
        return rows

    def bulk_create(self, objs, *args, **kwargs) -> list:
        created = super().bulk_create(objs, *args, **kwargs)
        changed()
        return created
