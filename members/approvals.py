"""Staff decisions on applications: approve, decline, resend the invitation.

Each runs in one transaction, locks the application first so two staff clicking
at once cannot both act, and queues its email in that transaction: the worker sends
it once the decision has committed, and a page never waits on the mail server.
"""

import enum
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import emails
from .models import Application, Membership, Tier, User


class Result(enum.Enum):
    DONE = "done"
    ALREADY = "already"  # nothing to do: repeating the action changes nothing
    NOT_APPLICABLE = "not applicable"


def approve_application(
    application: Application,
    *,
    tier: Tier | None = None,
    approved_by: User,
    ends_at: datetime | None = None,
) -> Result:
    """Make the applicant a member of `tier` (by default the one they asked for) and invite them."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status == Application.Status.APPROVED:
            return Result.ALREADY
        user = _user_for(application)
        Membership.objects.update_or_create(
            user=user,
            defaults={
                "tier": tier or application.tier,
                "status": Membership.Status.ACTIVE,
                "started_at": timezone.now(),
                "ends_at": ends_at,
            },
        )
        application.status = Application.Status.APPROVED
        application.user = user
        application.reviewed_by = approved_by
        application.reviewed_at = timezone.now()
        application.invitation_sent_at = None  # set once the email has gone
        application.save()
        emails.invitation(application)
    return Result.DONE


def decline_application(application: Application, *, declined_by: User, notify: bool) -> Result:
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status == Application.Status.DECLINED:
            return Result.ALREADY
        if application.status == Application.Status.APPROVED:
            return Result.NOT_APPLICABLE  # a member's access is ended on their membership
        application.status = Application.Status.DECLINED
        application.reviewed_by = declined_by
        application.reviewed_at = timezone.now()
        application.save()
        if notify:
            emails.declined(application)
    return Result.DONE


def resend_invitation(application: Application) -> Result:
    """Send a fresh link to an approved applicant who has not yet set up their account.

    Only the newest link works: an earlier one may sit in a mailbox someone else reads.
    """
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=application.pk)
        )
        if application.status != Application.Status.APPROVED or application.user is None:
            return Result.NOT_APPLICABLE
        user = application.user
        if user.last_login is not None:
            return Result.ALREADY  # they are in; a forgotten password has its own reset
        if not user.has_usable_password():
            # A new random placeholder changes what invitation links sign: earlier ones die.
            user.set_unusable_password()
            user.save(update_fields=["password"])
        emails.invitation(application)
    return Result.DONE


def _user_for(application: Application) -> User:
    user = get_user_model().objects.filter(email__iexact=application.email).first()
    if user is None:
        first, last = application.first_and_last_name
        user = get_user_model().objects.create_user(
            application.email, password=None, first_name=first[:150], last_name=last[:150]
        )
    user.record_email_address()
    return user
