"""Reused PostgreSQL connections are checked without a round trip, and still caught dead;
timestamps are loaded by psycopg's own loader; the statements every request makes are
prepared."""

from datetime import UTC, datetime

import psycopg
import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from psycopg.pq import Format

from articles.models import LONG_TEXTS, Article
from members.backends import reader_statement
from publication.postgresql.base import UtcTimestamptzLoader
from publication.statements import by_slug_statement
from tests.factories import make_article, make_member

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own backend"),
    pytest.mark.django_db(transaction=True),
]


def test_the_check_sends_nothing_to_the_server():
    connection.ensure_connection()
    with CaptureQueriesContext(connection) as queries:
        assert connection.is_usable()
    assert len(queries) == 0


def test_a_connection_the_server_ended_is_caught_and_replaced(client):
    article = make_article(title="Read after a reconnect")
    connection.ensure_connection()
    doomed = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    with other.cursor() as cursor:  # waits until the backend has gone
        cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [doomed])
    other.close()
    assert not connection.is_usable()
    # As between two requests: the check runs before the connection is used again.
    connection.close_if_unusable_or_obsolete()
    connection.health_check_done = False
    connection.close_if_health_check_failed()
    assert "Read after a reconnect" in client.get(article.get_absolute_url()).content.decode()
    assert connection.connection.info.backend_pid != doomed


def test_timestamps_are_loaded_by_psycopgs_own_loader_as_django_loads_them():
    """Django's loader is Python (9 µs a value); psycopg's gives the same datetimes in UTC."""
    instants = ["2026-01-01 12:00:00.5+05", "2026-07-01 00:00:00-07", "0001-01-01 00:00:00+00"]
    sql = "SELECT " + ", ".join(f"'{instant}'::timestamptz" for instant in instants)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        loaded = cursor.fetchone()
    assert loaded == (
        datetime(2026, 1, 1, 7, 0, 0, 500000, tzinfo=UTC),
        datetime(2026, 7, 1, 7, 0, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=UTC),
    )
    assert all(value.tzinfo is UTC for value in loaded)
    article = make_article()
    assert Article.objects.get(pk=article.pk).publish_at == article.publish_at
    oid = connection.connection.adapters.types["timestamptz"].oid
    loader = connection.connection.adapters.get_loader(oid, Format.TEXT)
    assert loader is UtcTimestamptzLoader
    if psycopg.pq.__impl__ == "binary":
        assert type(loader(oid, connection.connection).loader).__module__.startswith("psycopg_")


def test_the_statements_every_request_makes_are_prepared_and_still_counted(client):
    """The reader and the post by its slug are planned once per connection: prepared."""
    article = make_article(title="Planned once")
    member = make_member()
    client.force_login(member)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(2):
            assert client.get(article.get_absolute_url()).status_code == 200
    assert sum(reader_statement().sql.split(" WHERE ")[0] in q["sql"] for q in queries) == 2
    assert any(f"= '{article.slug}'" in q["sql"] for q in queries)  # logged with its value
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert any(s.startswith(reader_statement().sql.split(" WHERE ")[0]) for s in prepared)
    slug_sql = by_slug_statement(Article, tuple(LONG_TEXTS))[0].replace("%s", "$1")
    assert slug_sql in prepared
    # Django's own cursors bind on the client, which prepares nothing.
    assert not any("django_session" in s or "auth_permission" in s for s in prepared)
