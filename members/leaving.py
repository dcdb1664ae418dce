"""A member leaves from their account page: now, or when their membership ends anyway.

Leaving ends the membership (or records that it is not to be renewed), withdraws a
request to move that waits, and is recorded in the history; the account stays, so a
former member logs in, keeps the free letter if they chose to, and may apply again.
"""

from django.db import transaction
from django.utils import timezone

from . import applications, moves
from .models import Event, Membership, User


def leave(user: User, *, now: bool, keep_letter: bool) -> Membership | None:
    """None if the member has no current membership (they left in another tab, say)."""
    with transaction.atomic():
        membership = Membership.objects.current().select_for_update().filter(user=user).first()
        if membership is None:
            return None
        moment = timezone.now()
        if now or membership.ends_at is None:
            membership.status, membership.ends_at = Membership.Status.ENDED, moment
            membership.save(update_fields=["status", "ends_at"])
            when = "now"
        else:
            when = f"at its end, {timezone.localdate(membership.ends_at):%-d %B %Y}"
        Event.objects.create(
            user=user, what=Event.What.LEFT, actor=Event.Actor.APPLICANT, detail=when
        )
        if (waiting := moves.waiting(user)) is not None:
            applications.withdraw(waiting)
        # On the free list after, or not: the letter is the reader's to choose.
        if keep_letter:
            letter = {"subscribed_at": user.subscribed_at or moment, "receives_letter": True}
        else:
            letter = {"subscribed_at": None}
        User.objects.filter(pk=user.pk).update(**letter)
    return membership
