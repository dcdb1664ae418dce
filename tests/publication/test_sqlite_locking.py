"""On SQLite the site and the task worker write to one file from two processes: a write
waits for the other's lock instead of failing with "database is locked"."""

import sqlite3
import threading

import pytest
from django.db import connection, transaction

from members.models import Application
from tests.factories import make_application

pytestmark = [
    pytest.mark.sqlite,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own locking"),
]


def test_a_transaction_that_reads_then_writes_waits_for_another_processs_lock():
    other = sqlite3.connect(
        connection.settings_dict["NAME"], isolation_level=None, check_same_thread=False
    )
    other.execute("BEGIN IMMEDIATE")  # as the worker does when it claims a task
    release = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    release.start()
    try:
        with transaction.atomic():
            Application.objects.count()  # a read first, as the approval workflow does
            make_application()  # then a write: in SQLite's default mode, "database is locked"
    finally:
        release.join()
        other.close()
    assert Application.objects.count() == 1
