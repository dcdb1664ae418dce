from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from .health import oldest_wait


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
