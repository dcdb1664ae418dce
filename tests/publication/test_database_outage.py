"""The database goes away while the site runs, and comes back.

Runs the site as production does (gunicorn, DEBUG off) against the test database
on a real PostgreSQL, which it stops and starts with the commands CI gives it in
PG_STOP and PG_START.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import make_article

ROOT = Path(__file__).resolve().parents[2]
PG_STOP, PG_START = os.environ.get("PG_STOP"), os.environ.get("PG_START")

if os.environ.get("CI") and connection.vendor == "postgresql" and not (PG_STOP and PG_START):
    raise RuntimeError("CI on PostgreSQL must give PG_STOP and PG_START for the outage test")

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not (PG_STOP and PG_START),
        reason="needs a PostgreSQL it may stop and start (PG_STOP and PG_START)",
    ),
]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our own server)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def shell(command: str) -> None:
    # The commands come from .ci/run, which started this PostgreSQL.
    subprocess.run(command, shell=True, check=True, capture_output=True)  # noqa: S602


@pytest.fixture
def site(tmp_path):
    """gunicorn serving the test database, with DEBUG off and collected static files."""
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "outage-test-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "HTTPS": "false",
        "STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "publication.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--timeout", "30"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            get(base + "/healthz")
            break
        except OSError:
            time.sleep(0.1)
    yield base
    server.terminate()
    server.wait(timeout=10)


def test_pages_answer_503_while_the_database_is_away_and_recover_when_it_returns(site):
    make_article(title="Still here afterwards")
    assert get(site + "/healthz") == (200, "ok\n")
    assert "Still here afterwards" in get(site + "/")[1]

    connection.close()  # the test's own connection would die with the server
    shell(PG_STOP)
    try:
        health = get(site + "/healthz")
        status, page = get(site + "/")
        post_status, _ = get(site + "/articles/anything/")
    finally:
        shell(PG_START)

    assert health == (503, "database unavailable\n")
    assert (status, post_status) == (503, 503)
    assert "We’ll be back in a moment" in page
    assert "Traceback" not in page and "OperationalError" not in page

    for _ in range(50):  # no restart of the site: it reconnects by itself
        if get(site + "/healthz")[0] == 200:
            break
        time.sleep(0.2)
    assert get(site + "/healthz") == (200, "ok\n")
    assert "Still here afterwards" in get(site + "/")[1]
