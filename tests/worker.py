"""Running queued tasks in tests: in the test's process, or by the real worker."""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django_tasks_db.models import DBTaskResult


def run_due_tasks() -> int:
    """Run the queued tasks that are due, as the worker does, in the test's own transaction.

    (The worker's own loop closes connections, which a test transaction cannot survive;
    the fault tests run the real worker in a process of its own.)
    """
    ran = 0
    while (result := DBTaskResult.objects.ready().first()) is not None:
        result.claim("tests")
        arguments = result.args_kwargs
        result.set_successful(result.task.call(*arguments["args"], **arguments["kwargs"]))
        ran += 1
    return ran


def database_url() -> str:
    """The test database, as DATABASE_URL names it for another process."""
    database = connection.settings_dict
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{database['NAME']}"
    user = quote(database["USER"] or "")
    password = f":{quote(database['PASSWORD'])}" if database["PASSWORD"] else ""
    return f"postgres://{user}{password}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


@contextmanager
def worker_process(**environment: str) -> Iterator[subprocess.Popen]:
    """The real worker (`manage.py db_worker`) in a process of its own, on the test database.

    Only tests whose data is committed (django_db(transaction=True)) can use it.
    """
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--interval",
            "0.1",
            "--no-startup-delay",
            "--no-reload",
        ],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": database_url(), "DEBUG": "true", **environment},
    )
    try:
        yield process
    finally:
        process.kill()
        process.wait(timeout=10)
