"""Submitting an application to the Member Waitlist."""

import enum

from django.db import IntegrityError, transaction

from . import emails, history
from .models import Application, Membership

APPLICANT_FIELDS = [
    "full_name",
    "email",
    "organisation",
    "role",
    "link",
    "tier",
    "reason",
    "heard_from",
    "consent",
]


class Outcome(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    # Told by email only, so the page reveals nothing about who is a member.
    MEMBER = "member"


def submit_application(*, data: dict) -> Outcome:
    """Save an application, one per email: a pending one is updated, a member is emailed.

    A current member is only emailed; one whose membership has ended may apply again.

    `data` holds at least APPLICANT_FIELDS, cleaned. The database constraint on the email
    keeps this to one row even when two submissions race.
    """
    data = {field: data[field] for field in APPLICANT_FIELDS}
    email = data["email"]
    if Membership.objects.current().filter(user__email__iexact=email).exists():
        emails.already_a_member(email)
        return Outcome.MEMBER
    # A member whose membership has ended applies like anyone else; approving renews it.
    with transaction.atomic():
        application = Application.objects.select_for_update().filter(email__iexact=email).first()
        if application is None:
            try:
                with transaction.atomic():
                    application = Application.objects.create(**data)
            except IntegrityError:
                # Another submission with this email won the race: update that one instead.
                application = Application.objects.select_for_update().get(email__iexact=email)
            else:
                history.record(history.What.APPLIED, [application], actor=history.Actor.APPLICANT)
                emails.application_received(application, updated=False)
                emails.tell_managers(application)
                return Outcome.CREATED
        for field in APPLICANT_FIELDS:
            setattr(application, field, data[field])
        application.status = Application.Status.PENDING
        application.save()
        history.record(history.What.CHANGED, [application], actor=history.Actor.APPLICANT)
        emails.application_received(application, updated=True)
    return Outcome.UPDATED
