"""Every email the site sends: a record of what it is, to whom, and how its sending went.

The record holds no message body. The worker renders each email when it sends it,
from the objects it is about, so a link that logs someone in (an invitation, a
password reset, a login code) is never stored or shown.
"""

import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class EmailQuerySet(models.QuerySet):
    def failed(self) -> "EmailQuerySet":
        return self.filter(state=Email.State.FAILED)

    def waiting_longer_than(self, age: timedelta) -> "EmailQuerySet":
        """Emails not yet sent that were queued more than `age` ago."""
        return self.filter(
            state__in=[Email.State.QUEUED, Email.State.SENDING],
            created_at__lt=timezone.now() - age,
        )


class Email(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued"
        SENDING = "sending"
        SENT = "sent"
        FAILED = "failed"
        CANCELLED = "cancelled"  # no longer wanted when its turn came (outbox.tasks.Cancelled)

    kind = models.CharField(max_length=60)
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=255)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # When the next attempt is due (queued), or when the one under way began (sending).
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The same Message-ID on every attempt, so a retry is recognisable as one email.
    message_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # What the kind's renderer needs besides the objects below; never a secret.
    context = models.JSONField(default=dict, blank=True)
    application = models.ForeignKey(
        "members.Application",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="emails",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="emails",
    )

    objects = EmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The admin index's counts: failed emails, and those still waiting.
            models.Index(
                fields=["state", "created_at"],
                name="outbox_email_unfinished",
                condition=Q(state__in=["queued", "sending", "failed"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to}"

    def get_kind_display(self) -> str:
        return self.kind.replace("_", " ").replace(":", ": ").capitalize()

    @property
    def message_id_header(self) -> str:
        domain = urlsplit(settings.SITE_URL).hostname or "localhost"
        return f"<{self.message_id}@{domain}>"
