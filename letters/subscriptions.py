"""The free list: a reader gives an address alone, and only its mailbox makes it a
subscriber, as the Member Waitlist trusts only the mailbox (members/applications.py).

Subscribing keeps a request and emails the address a signed link to it; following the
link shows a button, and pressing it deletes the request (so the link works once) and
makes the address's account a subscriber: the one it has, member or not, or a new one
without a password, reached later by a sign-in code. A subscriber is a reader like a
visitor: the letter gives them what the gate gives (letters/delivery.py).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from members.applications import current_member
from members.emails import render
from members.models import User
from outbox.models import Email
from outbox.tasks import Rendered, kind, queue

from .models import SubscriptionRequest

CONFIRM = signing.TimestampSigner(salt="letters.subscribe")
SUBJECT = "Confirm your subscription to {publication_name}"


def subscribe(address: str) -> None:
    """Keep the address and email it a confirmation link. The page after says the same
    whatever the address is already: only its mailbox learns more."""
    purge_unconfirmed()
    with transaction.atomic():
        request = SubscriptionRequest.objects.create(email=address)
        queue(
            "confirm_subscription",
            address,
            SUBJECT.format(publication_name=settings.PUBLICATION_NAME),
            context={"request": request.pk.hex},
        )


def purge_unconfirmed() -> int:
    deleted, _ = SubscriptionRequest.objects.expired().delete()
    return deleted


def confirmation_url(request: SubscriptionRequest) -> str:
    token = CONFIRM.sign(request.pk.hex)
    return settings.SITE_URL + reverse("letters:confirm", args=[token])


def request_for(token: str) -> SubscriptionRequest | None:
    """The request a link is for; None once confirmed or expired."""
    try:
        key = CONFIRM.unsign(token, max_age=settings.CONFIRMATION_MAX_AGE)
    except signing.BadSignature:
        return None
    return SubscriptionRequest.objects.filter(pk=key).first()


@kind("confirm_subscription")
def render_confirmation(email: Email) -> Rendered:
    """The link is made now from the request: one confirmed or purged sends nothing."""
    request = SubscriptionRequest.objects.get(pk=email.context["request"])
    context = {
        "url": confirmation_url(request),
        "valid_hours": settings.CONFIRMATION_MAX_AGE // 3600,
    }
    return render("confirm_subscription", email, context, folder="letters/email")


@dataclass(frozen=True)
class Subscribed:
    reader: User
    is_member: bool


def confirm(request: SubscriptionRequest) -> Subscribed | None:
    """The address is proven: its account receives the letter. None if another click used
    this link first."""
    with transaction.atomic():
        deleted, _ = SubscriptionRequest.objects.filter(pk=request.pk).delete()
        if not deleted:
            return None
        now = timezone.now()
        reader = User.objects.select_for_update().filter(email__iexact=request.email).first()
        if reader is None:
            reader = new_subscriber(request.email, now)
        else:
            reader.receives_letter, reader.subscribed_at = True, now
            reader.save(update_fields=["receives_letter", "subscribed_at"])
    return Subscribed(reader, current_member(reader.email) is not None)


def new_subscriber(address: str, now) -> User:
    try:
        with transaction.atomic():
            return User.objects.create_user(address, subscribed_at=now)
    except IntegrityError:
        # Another of the address's links was pressed a moment ago: that made the account.
        return User.objects.get(email__iexact=address)
