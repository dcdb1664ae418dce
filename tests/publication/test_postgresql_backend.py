"""Reused PostgreSQL connections are checked without a round trip, and still caught dead."""

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from tests.factories import make_article

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
