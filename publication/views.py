import sys
from pathlib import PurePosixPath

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.static import serve

from articles import share
from articles.images import RENDITIONS
from outbox.health import oldest_wait

# Uploads are stored as these and nothing else; anything else in MEDIA_ROOT is not served.
MEDIA_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}

RETRY_AFTER_SECONDS = 30
# Files whose names carry a digest of their content: each name holds one file for ever.
NAMED_BY_CONTENT = (RENDITIONS, share.FOLDER)


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Readiness for a load balancer: 200 when the database answers, 503 when it does not.

    With ?queue=1, for a monitor: also 503 when a task has waited longer than
    QUEUE_MAX_AGE to run, which means no worker is running.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        waited = oldest_wait() if request.GET.get("queue") else None
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    if waited is None:
        return HttpResponse("ok\n", content_type="text/plain")
    seconds = int(waited.total_seconds())
    if seconds > settings.QUEUE_MAX_AGE:
        return HttpResponse(
            f"queue stalled: the oldest task has waited {seconds} s\n",
            status=503,
            content_type="text/plain",
        )
    return HttpResponse(
        f"ok\nqueue: the oldest task has waited {seconds} s\n", content_type="text/plain"
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler; when the database is out of reach, a 503 that says to come back.

    Rendered without the request's context, which would need the database.
    """
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(render_to_string("500.html"), status=500)


def media(request: HttpRequest, path: str) -> FileResponse:
    """Uploaded pictures, from MEDIA_ROOT only, with a content type we chose."""
    content_type = MEDIA_TYPES.get(PurePosixPath(path).suffix.lower())
    if content_type is None:
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Content-Type"] = content_type
    if path.startswith(NAMED_BY_CONTENT):
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:  # an upload as staff gave it
        response["Cache-Control"] = "public, max-age=86400"
    return response
