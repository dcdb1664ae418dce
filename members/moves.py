"""A member's way to another package: asking to move.

Asking is an application from a logged-in member: their login proved the mailbox, so
there is nothing to confirm. It waits in line with the others, at most one per member
(the constraint that lets an address have one application waiting), and staff decide it
with the same approve and decline. Approving it changes the package of the membership
the member has (members/approvals.py).
"""

from django.db import IntegrityError, transaction

from . import emails, history
from .models import Application, Membership, Tier, User


def waiting(user: User) -> Application | None:
    """The member's application in line, a move or not: one at most (the constraint
    application_one_waiting_per_email), so asked for by get(), which orders nothing.
    Its packages are read if shown: most members have none waiting, and joining them
    cost every account page 0.6 ms."""
    try:
        return Application.objects.get(email=user.email, status=Application.Status.PENDING)
    except Application.DoesNotExist:
        return None


def may_ask_again_on(user: User):
    """The day a member whose last request was declined may ask again; None: now."""
    last = Application.objects.filter(email=user.email).first()
    return last.may_apply_again_on if last else None


def ask(user: User, tier: Tier, note: str) -> Application | None:
    """Put the member's request in line; None if they have one waiting already or no
    current membership to move from."""
    membership = Membership.objects.current().select_related("tier").filter(user=user).first()
    if membership is None or membership.tier_id == tier.pk:
        return None
    last = Application.objects.filter(email=user.email).first()  # their answers, as staff knew them
    try:
        with transaction.atomic():
            application = Application.objects.create(
                full_name=user.get_full_name() or (last.full_name if last else user.email),
                email=user.email,
                organisation=last.organisation if last else "",
                role=last.role if last else "",
                link=last.link if last else "",
                heard_from=last.heard_from if last else Application.HeardFrom.OTHER,
                reason=note or f"Asks to move from {membership.tier.name} to {tier.name}.",
                consent=True,
                tier=tier,
                moving_from=membership.tier,
                user=user,
            )
            history.record(
                history.What.APPLIED,
                [application],
                actor=history.Actor.APPLICANT,
                detail=application.asks,
            )
            emails.tell_managers(application)
    except IntegrityError:
        return None  # one was waiting, or was put in line a moment ago
    return application
