import os

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok\n")
    assert "no-cache" in response["Cache-Control"]


def test_the_database_in_use_is_the_one_database_url_names():
    named = os.environ.get("DATABASE_URL", "")
    assert connection.vendor == ("postgresql" if named.startswith("postgres") else "sqlite")
