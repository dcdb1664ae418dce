import os
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from outbox.tasks import deliver

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok\n")
    assert "no-cache" in response["Cache-Control"]


def test_the_database_in_use_is_the_one_database_url_names():
    named = os.environ.get("DATABASE_URL", "")
    assert connection.vendor == ("postgresql" if named.startswith("postgres") else "sqlite")


def test_the_queue_check_answers_503_once_a_task_has_waited_too_long(client, settings):
    settings.QUEUE_MAX_AGE = 300
    assert client.get("/healthz?queue=1").content == (
        b"ok\nqueue: the oldest task has waited 0 s\n"
    )

    result = deliver.enqueue([1])
    waiting = client.get("/healthz?queue=1")
    assert waiting.status_code == 200

    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - timedelta(seconds=400)
    )
    stalled = client.get("/healthz?queue=1")
    assert (stalled.status_code, stalled.content) == (
        503,
        b"queue stalled: the oldest task has waited 400 s\n",
    )
    assert client.get("/healthz").status_code == 200  # the database itself is fine


def test_a_retry_waiting_for_its_time_is_not_a_stalled_queue(client, settings):
    settings.QUEUE_MAX_AGE = 300
    later = timezone.now() + timedelta(hours=2)
    result = deliver.using(run_after=later).enqueue([1])
    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - timedelta(hours=1)
    )
    assert client.get("/healthz?queue=1").status_code == 200
