import io
import json
import logging

import pytest
from django.conf import settings
from django.test import Client

from articles.views import FrontPageView
from publication.logging import JsonFormatter, WithoutStaticRequests

pytestmark = pytest.mark.django_db


@pytest.fixture
def logs():
    """What the site's stdout handler would print, as parsed lines."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    logging.getLogger().removeHandler(handler)


def test_the_site_logs_json_lines_to_stdout():
    handler = settings.LOGGING["handlers"]["stdout"]
    assert handler["stream"] == "ext://sys.stdout"
    assert settings.LOGGING["formatters"][handler["formatter"]]["()"] == (
        "publication.logging.JsonFormatter"
    )


def test_a_request_error_is_one_json_line_with_the_request_id(logs, monkeypatch):
    def broken(self):
        raise RuntimeError("the front page broke")

    monkeypatch.setattr(FrontPageView, "get_queryset", broken)
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "secret-session-value"

    response = client.get("/?token=secret-invitation-token")

    assert response.status_code == 500
    (entry,) = [e for e in logs() if e["level"] == "ERROR"]
    assert entry["request_id"] == response["X-Request-ID"]
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/", 500)
    assert entry["error"] == "RuntimeError: the front page broke"
    assert entry["logger"] == "django.request"
    text = json.dumps(entry)
    assert "secret-session-value" not in text
    assert "secret-invitation-token" not in text


def test_a_request_id_from_the_load_balancer_is_kept_and_a_bad_one_replaced(client):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd"})["X-Request-ID"] == (
        "lb-1234abcd"
    )
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>"})["X-Request-ID"]
    assert replaced != "<script>" and len(replaced) == 32


def test_passwords_never_reach_the_logs(logs):
    Client().post("/accounts/login/", {"login": "nobody@example.com", "password": "hunter2-secret"})
    assert "hunter2-secret" not in json.dumps(logs())


@pytest.mark.parametrize(
    ("request_line", "status", "shown"),
    [
        ("GET /static/css/site.css HTTP/1.1", 200, False),
        ("GET /media/pictures/a.webp HTTP/1.1", 304, False),
        ("GET /static/missing.css HTTP/1.1", 404, True),
        ("GET /articles/open/ HTTP/1.1", 200, True),
        ("POST /membership/apply/ HTTP/1.1", 302, True),
    ],
)
def test_the_development_servers_log_leaves_out_files_served(request_line, status, shown):
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s %s', (request_line, status, 10), None
    )
    record.status_code = status
    assert WithoutStaticRequests().filter(record) is shown


@pytest.mark.parametrize(
    ("level", "tasks_level"), [("INFO", logging.INFO), ("WARNING", logging.WARNING)]
)
def test_the_workers_task_lines_follow_log_level(settings, level, tasks_level):
    from django_tasks_db.management.commands import db_worker as upstream

    from outbox.management.commands.db_worker import Command

    loggers = [logging.getLogger(n) for n in ("", upstream.TASKS_LOGGER, upstream.logger.name)]
    before = [each.level for each in loggers]
    loggers[0].setLevel(level)
    try:
        Command().configure_logging(verbosity=1)
        assert [each.level for each in loggers[1:]] == [tasks_level, tasks_level]
    finally:
        for each, was in zip(loggers, before, strict=True):
            each.setLevel(was)


def test_the_development_servers_lines_reach_the_log_as_json(logs):
    logging.getLogger("django.server").info(
        '"%s" %s %s', "GET /articles/open/ HTTP/1.1", "200", "10", extra={"status_code": 200}
    )
    logging.getLogger("django.server").info(
        '"%s" %s %s', "GET /static/site.css HTTP/1.1", "200", "10", extra={"status_code": 200}
    )
    assert [line["message"] for line in logs()] == ['"GET /articles/open/ HTTP/1.1" 200 10']
