"""django-tasks-db's worker, made safe to kill and patient with the database.

Upstream leaves a task "running" for ever when its worker dies (django-tasks issue
#46), and crashes when the database goes away. This worker adds two things:

- A task that has been running longer than TASK_LEASE belongs to a worker that died
  (SIGKILL, a lost machine): it goes back on the queue. Every worker looks for such
  tasks when it starts and then once a minute (or every TASK_LEASE, if shorter).
- When the database goes away the worker waits for it, and puts the task it was
  running back on the queue, instead of exiting.

Tasks may therefore run more than once; ours are written for it (outbox.tasks.claim).
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, OperationalError, close_old_connections, connections
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands import db_worker as upstream
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from outbox.signals import worker_started

logger = logging.getLogger("outbox.worker")

REAP_EVERY = timedelta(minutes=1)  # or every TASK_LEASE, if that is shorter
DATABASE_WAIT_LONGEST = 30  # seconds between tries while the database is away
# A task that failed only because the database went away is not a failure of the task.
DATABASE_ERRORS = {"django.db.utils.OperationalError", "django.db.utils.InterfaceError"}


def requeue_abandoned() -> int:
    """Put back on the queue the tasks whose workers died while running them."""
    cutoff = timezone.now() - timedelta(seconds=settings.TASK_LEASE)
    count = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ).update(status=TaskResultStatus.READY)
    if count:
        logger.warning("Put %d abandoned task(s) back on the queue", count)
    return count


class Worker(upstream.Worker):
    """Upstream's worker with its loop written again around the two additions."""

    def __init__(self, **options):
        super().__init__(**options)
        self.running_result: DBTaskResult | None = None
        self.reaped_at = None

    def run(self) -> None:
        logger.info("Starting worker %s", self.worker_id)
        try:
            worker_started.send(sender=type(self))
        except DatabaseError:
            logger.exception("A worker_started receiver failed; the worker carries on")
        while self.running:
            try:
                self.reap_when_due()
                task_result = self.next_task()
                if task_result is not None:
                    self.run_task(task_result)
            except DatabaseError as error:
                self.wait_for_database(error)
                continue
            if task_result is None and self.batch:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            if task_result is None and self.running:
                time.sleep(self.interval)

    def next_task(self) -> DBTaskResult | None:
        """Claim the next ready task, as upstream does (row locks; SQLite exclusively)."""
        close_old_connections()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        try:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
        except OperationalError as error:
            if is_locked_database_exception(error):
                return None  # another worker holds SQLite's lock: try again shortly
            raise
        return task_result

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.running_result = db_task_result
        super().run_task(db_task_result)
        if (
            db_task_result.status == TaskResultStatus.FAILED
            and db_task_result.exception_class_path in DATABASE_ERRORS
        ):
            self.put_back(db_task_result)
        self.running_result = None

    def reap_when_due(self) -> None:
        now = timezone.now()
        every = min(REAP_EVERY, timedelta(seconds=settings.TASK_LEASE))
        if self.reaped_at is None or now - self.reaped_at >= every:
            requeue_abandoned()
            self.reaped_at = now

    def put_back(self, db_task_result: DBTaskResult) -> None:
        DBTaskResult.objects.filter(pk=db_task_result.pk).update(
            status=TaskResultStatus.READY, finished_at=None, exception_class_path="", traceback=""
        )

    def wait_for_database(self, error: DatabaseError) -> None:
        logger.warning("The database is unavailable (%s); waiting for it", type(error).__name__)
        wait = 1
        while self.running:
            connections.close_all()
            time.sleep(wait)
            try:
                if self.running_result is not None:
                    self.put_back(self.running_result)
                    self.running_result = None
                DBTaskResult.objects.exists()  # answers, and holds the queue (migrated)
            except DatabaseError:
                wait = min(wait * 2, DATABASE_WAIT_LONGEST)
                continue
            logger.warning("The database is back; carrying on")
            return


class Command(upstream.Command):
    help = "Run the task worker (django-tasks-db's, safe to kill and patient with the database)"

    def configure_logging(self, verbosity: int) -> None:
        """Upstream's levels by verbosity, never below the site's LOG_LEVEL: at WARNING
        (as `make run` starts it) a task's start and end are not two lines each."""
        super().configure_logging(verbosity)
        floor = logging.getLogger().level
        for name in (upstream.TASKS_LOGGER, upstream.logger.name):
            tasks_logger = logging.getLogger(name)
            tasks_logger.setLevel(max(tasks_logger.level, floor))

    def handle(self, **options) -> None:
        # Upstream's handle() builds the worker by its module's name for it.
        upstream.Worker, original = Worker, upstream.Worker
        try:
            super().handle(**options)
        finally:
            upstream.Worker = original
