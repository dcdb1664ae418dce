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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, transaction
from django.utils import timezone
from django_tasks import task

from .models import Email

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rendered:
    text: str
    html: str | None = None


@dataclass(frozen=True)
class Kind:
    render: Callable[[Email], Rendered]
    on_sent: Callable[[Email], None] | None = None


KINDS: dict[str, Kind] = {}


def kind(name: str, *, on_sent: Callable[[Email], None] | None = None):
    """Register how emails of kind `name` are rendered (and what follows their sending)."""

    def register(render: Callable[[Email], Rendered]) -> Callable[[Email], Rendered]:
        KINDS[name] = Kind(render, on_sent)
        return render

    return register


def queue(kind: str, to: str, subject: str, **about) -> Email:
    """Record an email and queue its sending, both in the caller's transaction.

    `about` holds the Email's `application`, `user` and `context`: what the kind's
    renderer needs to make the message when it is sent.
    """
    if kind not in KINDS:
        raise LookupError(f"No email kind {kind!r} is registered.")
    with transaction.atomic():
        email = Email.objects.create(kind=kind, to=to, subject=subject[:255], **about)
        deliver.enqueue(email.pk)
    return email


def send_again(email: Email) -> Email:
    """A failed email is tried again as it was; a sent one goes again as a new email."""
    if email.state == Email.State.SENT:
        return queue(
            email.kind,
            email.to,
            email.subject,
            context=email.context,
            application=email.application,
            user=email.user,
        )
    with transaction.atomic():
        Email.objects.filter(pk=email.pk, state=Email.State.FAILED).update(
            state=Email.State.QUEUED, attempts=0, next_attempt_at=timezone.now(), last_error=""
        )
        deliver.enqueue(email.pk)
    return email


@task()
def deliver(email_id: int) -> str:
    email = claim(email_id)
    if email is None:
        return "nothing to do"
    try:
        message(email).send()
    except DatabaseError:
        raise  # not the email's fault: the worker puts the task back and waits
    except Exception as error:
        return record_failure(email, error)
    with transaction.atomic():
        Email.objects.filter(pk=email.pk).update(
            state=Email.State.SENT, sent_at=timezone.now(), last_error=""
        )
        if on_sent := KINDS[email.kind].on_sent:
            on_sent(email)
    logger.info("Email %s (%s) sent", email.pk, email.kind)
    return "sent"


def message(email: Email) -> EmailMultiAlternatives:
    rendered = KINDS[email.kind].render(email)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=rendered.text,
        to=[email.to],
        reply_to=[settings.EMAIL_REPLY_TO],
        headers={"Message-ID": email.message_id_header},
    )
    if rendered.html:
        message.attach_alternative(rendered.html, "text/html")
    return message


def claim(email_id: int) -> Email | None:
    """Take the email for one attempt, or None if it is not due or someone else has it.

    The update is conditional on the state and attempt count just read, so of two
    workers that read the same row only one wins, on SQLite as on PostgreSQL.
    """
    now = timezone.now()
    lease = timedelta(seconds=settings.TASK_LEASE)
    email = Email.objects.filter(pk=email_id).first()
    if email is None or email.state in (Email.State.SENT, Email.State.FAILED):
        return None
    if email.state == Email.State.QUEUED and email.next_attempt_at > now:
        return None  # an early copy of the task: the one for the retry is queued for then
    if email.state == Email.State.SENDING and email.attempted_at > now - lease:
        # Another worker has it, or had it until it died: look again when its lease ends.
        deliver.using(run_after=email.attempted_at + lease).enqueue(email_id)
        return None
    current = Email.objects.filter(pk=email.pk, state=email.state, attempts=email.attempts)
    if email.attempts >= len(settings.EMAIL_RETRY_DELAYS) + 1:
        current.update(state=Email.State.FAILED, last_error="The worker sending it stopped")
        return None
    if not current.update(state=Email.State.SENDING, attempts=email.attempts + 1, attempted_at=now):
        return None
    email.state, email.attempts, email.attempted_at = Email.State.SENDING, email.attempts + 1, now
    return email


def record_failure(email: Email, error: Exception) -> str:
    """Retry a temporary failure after the next delay; fail a permanent one."""
    described = describe(error)
    delays = settings.EMAIL_RETRY_DELAYS
    this_attempt = Email.objects.filter(pk=email.pk, attempts=email.attempts)
    if is_temporary(error) and email.attempts <= len(delays):
        retry_at = timezone.now() + timedelta(seconds=delays[email.attempts - 1])
        with transaction.atomic():
            if this_attempt.update(
                state=Email.State.QUEUED, next_attempt_at=retry_at, last_error=described
            ):
                deliver.using(run_after=retry_at).enqueue(email.pk)
        logger.warning(
            "Email %s (%s) attempt %d failed, retrying: %s",
            email.pk,
            email.kind,
            email.attempts,
            described,
        )
        return "retrying"
    this_attempt.update(state=Email.State.FAILED, last_error=described)
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
