"""Sending email through the task queue: `queue()` records an email and queues its sending;
the worker's `deliver` task renders it and hands it to the mail server.

An email is queued in the caller's transaction, as a task row in the same database, so
it exists exactly when what caused it commits, and no page waits on the mail server.
A temporary failure (refused connection, timeout, a 4xx reply) is tried again after
EMAIL_RETRY_DELAYS; a permanent one (a 5xx reply, an error in our own code) fails at
once and waits for staff to send it again.

Written against Django's Tasks API: on Django 6 the import below becomes `django.tasks`.
"""

import logging
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import groupby
from operator import attrgetter

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from .models import Email

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rendered:
    text: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class Cancelled(Exception):
    """Raised by a renderer: this email is no longer wanted (its reader unsubscribed, say)."""


@dataclass(frozen=True)
class Kind:
    render: Callable[[Email], Rendered]
    on_sent: Callable[[list[Email]], None] | None = None
    # Told of each email of the kind that failed for good or was cancelled, and why.
    on_failed: Callable[[Email, Exception], None] | None = None
    # The relations of Email its renderer reads, fetched with the email in one query.
    related: tuple[str, ...] = ()


KINDS: dict[str, Kind] = {}
# Emails queued together go out in tasks of this many, over one connection to the server.
BATCH = 50


def kind(name: str, *, related: tuple[str, ...] = (), on_sent=None, on_failed=None):
    """Register how emails of kind `name` are rendered, the relations of Email its renderer
    reads, and what follows their sending."""

    def register(render: Callable[[Email], Rendered]) -> Callable[[Email], Rendered]:
        KINDS[name] = Kind(render, on_sent, on_failed, related)
        return render

    return register


def related_of_every_kind() -> list[str]:
    """What any kind's renderer reads: a batch may hold emails of several kinds."""
    return sorted({relation for kind in KINDS.values() for relation in kind.related})


def queue(kind: str, to: str, subject: str, **about) -> Email:
    """Record an email and queue its sending, both in the caller's transaction.

    `about` holds the Email's `application`, `user` and `context`: what the kind's
    renderer needs to make the message when it is sent.
    """
    return queue_many([Email(kind=kind, to=to, subject=subject, **about)])[0]


def queue_many(emails: list[Email]) -> list[Email]:
    """Record many emails at once and queue them, BATCH to a task."""
    unknown = {email.kind for email in emails} - KINDS.keys()
    if unknown:
        raise LookupError(f"No email kind {sorted(unknown)} is registered.")
    for email in emails:
        email.subject = email.subject[:255]
    with transaction.atomic():
        emails = Email.objects.bulk_create(emails)
        for start in range(0, len(emails), BATCH):
            deliver.enqueue([email.pk for email in emails[start : start + BATCH]])
    return emails


def send_again(emails: list[Email]) -> int:
    """Failed emails are tried again as they were (their Message-ID kept); sent ones go
    again as new emails, which mailboxes do not take for copies. Others are left alone."""
    failed = [email.pk for email in emails if email.state == Email.State.FAILED]
    sent = [email for email in emails if email.state == Email.State.SENT]
    with transaction.atomic():
        Email.objects.filter(pk__in=failed, state=Email.State.FAILED).update(
            state=Email.State.QUEUED, attempts=0, next_attempt_at=timezone.now(), last_error=""
        )
        for start in range(0, len(failed), BATCH):
            deliver.enqueue(failed[start : start + BATCH])
        queue_many(
            [
                Email(
                    kind=email.kind,
                    to=email.to,
                    subject=email.subject,
                    context=email.context,
                    application_id=email.application_id,
                    user_id=email.user_id,
                )
                for email in sent
            ]
        )
    return len(failed) + len(sent)


@task()
def deliver(email_ids: list[int]) -> dict:
    """Send the emails that are due among `email_ids`, over one connection.

    Each is recorded as sent as soon as the server has taken it: a worker killed in the
    middle of a batch leaves only the email it was sending to go again, never the ones
    before it.
    """
    sent, failures = 0, []
    claimed = claim(email_ids)
    lease = Lease(claimed)
    connection = get_connection()
    try:
        for email in claimed:
            if not lease.holds(email):
                continue  # we were too slow: another worker has taken it over
            try:
                connection.open()  # once, unless an error closed it
                message(email, connection).send()
            except (OperationalError, InterfaceError):
                raise  # the database went away: the worker puts the task back and waits
            except Exception as error:
                failures.append((email, error))
                if isinstance(error, OSError) and not isinstance(error, REPLIES):
                    connection.close()  # the connection is broken: the next email opens anew
            else:
                record_sent([email])
                sent += 1
    finally:
        connection.close()
    outcomes = [record_failure(email, error) for email, error in failures]
    return {"sent": sent, **{outcome: outcomes.count(outcome) for outcome in outcomes}}


class Lease:
    """Claimed emails stay this task's while it renews their attempt time within TASK_LEASE.

    A batch may take longer than the lease (a slow server, 50 emails): every quarter
    lease the emails still being sent are stamped anew, so no other worker takes
    them for abandoned.
    """

    def __init__(self, emails: list[Email]) -> None:
        self.pks = {email.pk for email in emails}
        self.stamp = emails[0].attempted_at if emails else None
        self.renewed = time.monotonic()

    def holds(self, email: Email) -> bool:
        if time.monotonic() - self.renewed >= settings.TASK_LEASE / 4:
            now = timezone.now()
            ours = Email.objects.filter(pk__in=self.pks, state=Email.State.SENDING)
            ours.filter(attempted_at=self.stamp).update(attempted_at=now)
            self.pks = set(ours.filter(attempted_at=now).values_list("pk", flat=True))
            self.stamp, self.renewed = now, time.monotonic()
        return email.pk in self.pks


# The server's answers about one message, which leave the connection usable.
REPLIES = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)


def message(email: Email, connection) -> EmailMultiAlternatives:
    rendered = KINDS[email.kind].render(email)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=rendered.text,
        to=[email.to],
        reply_to=[settings.EMAIL_REPLY_TO],
        headers={"Message-ID": email.message_id_header, **rendered.headers},
        connection=connection,
    )
    # Echoed back by an email service's tracking webhooks (django-anymail), to find it.
    message.metadata = {"email": str(email.message_id)}
    if rendered.html:
        message.attach_alternative(rendered.html, "text/html")
    return message


def claim(email_ids: list[int]) -> list[Email]:
    """Take the due emails among `email_ids` for one attempt each.

    An email is due when queued and its time has come, or when a worker began sending
    it more than TASK_LEASE ago (and so died). The update is conditional on what was
    just read, and stamps the attempt with this call's own time: of two workers that
    read the same rows, each gets back only the ones it updated, on SQLite as on
    PostgreSQL.
    """
    now = timezone.now()
    lease = timedelta(seconds=settings.TASK_LEASE)
    last_attempt = len(settings.EMAIL_RETRY_DELAYS) + 1
    stale = Q(state=Email.State.SENDING, attempted_at__lte=now - lease)
    due = Email.objects.filter(pk__in=email_ids).filter(
        Q(state=Email.State.QUEUED, next_attempt_at__lte=now) | stale
    )
    due.filter(stale, attempts__gte=last_attempt).update(
        state=Email.State.FAILED, last_error="The worker sending it stopped"
    )
    due.filter(attempts__lt=last_attempt).update(
        state=Email.State.SENDING, attempts=F("attempts") + 1, attempted_at=now
    )
    # Emails another worker is sending, or was until it died: look again when its lease ends.
    for attempted_at, ids in groupby(
        Email.objects.filter(pk__in=email_ids, state=Email.State.SENDING)
        .exclude(attempted_at=now)
        .order_by("attempted_at")
        .values_list("attempted_at", "pk"),
        key=lambda row: row[0],
    ):
        deliver.using(run_after=attempted_at + lease).enqueue([pk for _, pk in ids])
    return list(
        Email.objects.filter(pk__in=email_ids, state=Email.State.SENDING, attempted_at=now)
        .select_related(*related_of_every_kind())
        .order_by("pk")
    )


def record_sent(emails: list[Email]) -> None:
    if not emails:
        return
    with transaction.atomic():
        Email.objects.filter(pk__in=[email.pk for email in emails]).update(
            state=Email.State.SENT, sent_at=timezone.now(), last_error=""
        )
        for kind_name, of_kind in groupby(
            sorted(emails, key=attrgetter("kind")), attrgetter("kind")
        ):
            if on_sent := KINDS[kind_name].on_sent:
                on_sent(list(of_kind))
    for email in emails:
        logger.info("Email %s (%s) sent", email.pk, email.kind)


def record_failure(email: Email, error: Exception) -> str:
    """Retry a temporary failure after the next delay; fail a permanent one."""
    described = describe(error)
    delays = settings.EMAIL_RETRY_DELAYS
    this_attempt = Email.objects.filter(pk=email.pk, attempts=email.attempts)
    on_failed = KINDS[email.kind].on_failed
    if isinstance(error, Cancelled):
        with transaction.atomic():
            this_attempt.update(state=Email.State.CANCELLED, last_error=str(error)[:200])
            if on_failed:
                on_failed(email, error)
        logger.info("Email %s (%s) cancelled: %s", email.pk, email.kind, error)
        return "cancelled"
    if is_temporary(error) and email.attempts <= len(delays):
        retry_at = timezone.now() + timedelta(seconds=delays[email.attempts - 1])
        with transaction.atomic():
            if this_attempt.update(
                state=Email.State.QUEUED, next_attempt_at=retry_at, last_error=described
            ):
                deliver.using(run_after=retry_at).enqueue([email.pk])
        logger.warning(
            "Email %s (%s) attempt %d failed, retrying: %s",
            email.pk,
            email.kind,
            email.attempts,
            described,
        )
        return "retrying"
    with transaction.atomic():
        this_attempt.update(state=Email.State.FAILED, last_error=described)
        if on_failed:
            on_failed(email, error)
    if isinstance(error, OSError):  # the mail server's answer: ours to report, not a bug
        logger.error("Email %s (%s) failed: %s", email.pk, email.kind, described)
    else:
        logger.exception("Email %s (%s) could not be made", email.pk, email.kind)
    return "failed"


def is_temporary(error: Exception) -> bool:
    """Worth trying again later: the server was unreachable, slow, or said 4xx."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return False
    return isinstance(error, OSError)  # refused, timed out, unreachable, disconnected


def describe(error: Exception) -> str:
    """The error's class and the server's reply code: never the message, which may quote it."""
    codes = []
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in error.recipients.values()})
    elif isinstance(error, smtplib.SMTPResponseException):
        codes = [error.smtp_code]
    return " ".join([type(error).__name__, *map(str, codes)])
