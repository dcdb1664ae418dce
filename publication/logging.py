"""Structured logs: one JSON object a line on stdout, each carrying its request's id.

Only the message, the logger, the level, the request id, the method and path and
(for errors) the exception go out: never headers, cookies, POST data or query
strings, which is where passwords, session ids and invitation links would be.
"""

import contextvars
import json
import logging
import traceback
from datetime import UTC, datetime

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id.get(),
        }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "method"):
            entry["method"], entry["path"] = request.method, request.path
        if getattr(record, "status_code", None):
            entry["status"] = record.status_code
        if record.exc_info:
            kind, error, _ = record.exc_info
            entry["error"] = f"{kind.__name__}: {error}"
            entry["traceback"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class WithoutStaticRequests(logging.Filter):
    """The development server's line for each request, less those that served a static
    file or a picture: a page brings a dozen, and they buried the emails the worker prints
    beside it. Failed ones stay."""

    def filter(self, record: logging.LogRecord) -> bool:
        if (getattr(record, "status_code", None) or 0) >= 400:
            return True
        from django.conf import settings

        request_line = str(record.args[0]) if isinstance(record.args, tuple) else ""
        files = (settings.STATIC_URL, settings.MEDIA_URL)
        return not any(f" {prefix}" in request_line for prefix in files)
