"""How long the queue's oldest due task has waited: long waits mean no worker is running."""

from datetime import timedelta

from django.db.models import Min
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max


def oldest_wait() -> timedelta:
    """How long ago the oldest task waiting to run became due (zero for an empty queue)."""
    ready = DBTaskResult.objects.ready()
    due_times = [
        # A task queued to run at once is due from when it was queued; a deferred one
        # (a retry) from its time.
        ready.filter(run_after=get_date_max()).aggregate(due=Min("enqueued_at"))["due"],
        ready.exclude(run_after=get_date_max()).aggregate(due=Min("run_after"))["due"],
    ]
    oldest = min((due for due in due_times if due is not None), default=None)
    return timezone.now() - oldest if oldest else timedelta(0)
