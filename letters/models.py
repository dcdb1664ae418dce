"""The letter: posts sent by email to members and free subscribers, each send a record
with one delivery per recipient, never two (a unique constraint)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from articles.models import Article
from members.models import SubmissionQuerySet, Tier, User


class Send(models.Model):
    """One post (or one weekly letter) sent to an audience."""

    class Audience(models.TextChoices):
        INCLUDED = "included", "Active members whose package includes the post"
        ALL = "all", "All active members"
        TIER = "tier", "Members of one package and above"
        # Each reader gets what the gate gives them: subscribers, members-only posts'
        # previews (letters/delivery.py).
        FREE = "free", "Free subscribers and members"

    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.CASCADE, related_name="sends"
    )
    weekly = models.OneToOneField(
        "WeeklyLetter", null=True, blank=True, on_delete=models.CASCADE, related_name="send"
    )
    audience = models.CharField(max_length=10, choices=Audience, default=Audience.INCLUDED)
    tier = models.ForeignKey(
        Tier,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="For one package and above.",
    )
    subject = models.CharField(max_length=255)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the site sent it on its schedule.",
    )
    created_at = models.DateTimeField("sent", default=timezone.now)
    # Set once every delivery row exists: until then the worker is still making them.
    prepared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subject} ({self.created_at:%Y-%m-%d %H:%M})"


class Delivery(models.Model):
    """The letter to one member: its email, and what became of it."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Marked as spam"
        UNSUBSCRIBED = "unsubscribed", "Not sent: unsubscribed"

    send = models.ForeignKey(Send, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries"
    )
    email = models.OneToOneField(
        "outbox.Email", null=True, blank=True, on_delete=models.SET_NULL, related_name="delivery"
    )
    state = models.CharField(max_length=12, choices=State, default=State.QUEUED)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["send", "user"], name="delivery_once_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.send} to {self.user}"


class WeeklyLetter(models.Model):
    """One issue of the weekly letter: the posts published since the last one, as cards,
    under an introduction staff may write beforehand."""

    scheduled_for = models.DateTimeField(unique=True)
    introduction = models.TextField(
        blank=True, max_length=2000, help_text="A few lines above the posts (plain text)."
    )
    held = models.BooleanField(
        default=False, help_text="Held issues are not sent on their schedule."
    )
    to_subscribers = models.BooleanField(
        "also to free subscribers",
        default=False,
        help_text="Members receive every issue; tick to send it to the free list too. The "
        "next issue starts with this issue's choice.",
    )

    class Meta:
        ordering = ["-scheduled_for"]

    def __str__(self) -> str:
        return f"Weekly letter of {timezone.localtime(self.scheduled_for):%-d %B %Y}"


class SubscriptionRequest(models.Model):
    """An address given to the free list whose mailbox has not confirmed it: nobody is
    emailed a letter, and staff see nothing of it. Confirming deletes it (so each link
    works once); one never confirmed is purged once its link has expired."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    # Its link lives as long as a submission's, and it expires the same way.
    objects = SubmissionQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Unconfirmed: {self.email}"


class Subscriber(User):
    """The free list as staff see it: readers who confirmed, from their mailbox, that they
    want the letter (members among them), whether or not they receive it now."""

    class Meta:
        proxy = True
        permissions = [("export_subscriber", "Can export subscribers as CSV")]
