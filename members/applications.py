"""The Member Waitlist trusts only the mailbox: a filled-in form is a submission, and
only following the link emailed to its address makes it an application staff see.

After that the applicant looks after it on their own page (members/applicant.py): change
their answers while it waits, or withdraw it. A second submission never changes an
application; its link opens the one the address already has.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from outbox.tasks import task

from . import emails, history
from .models import Answers, Application, Submission, User, is_current_member


def submit(data: dict) -> None:
    """Keep the answers and email the address a confirmation link; a current member is
    emailed a login link instead. The page after says the same whatever happened."""
    answers = {field: data[field] for field in Answers.FIELDS}
    purge_unconfirmed()
    with transaction.atomic():
        member = current_member(answers["email"])
        if member is not None:
            emails.already_a_member(member)
        else:
            emails.confirm_application(Submission.objects.create(**answers))


def purge_unconfirmed() -> int:
    """Submissions whose link has expired: nobody can confirm them any more."""
    deleted, _ = Submission.objects.expired().delete()
    return deleted


def standing(address: str) -> Application | None:
    """The application a new submission from this address opens instead of making one:
    the one waiting, or one declined whose wait is not over."""
    earlier = Application.objects.filter(email=address).select_related("tier")
    kept = earlier.filter(status=Application.Status.PENDING).first() or earlier.first()
    if kept is not None and (kept.status == kept.Status.PENDING or kept.may_apply_again_on):
        return kept
    return None


def current_member(address: str) -> User | None:
    return User.objects.filter(is_current_member(), email=address).first()


@dataclass
class Confirmation:
    """What following a confirmation link led to: an application to open, new or the one
    the address already had, or, for a current member, none."""

    application: Application | None
    created: bool = False


# What applicants' pages call the answers they may change (Application.CHANGEABLE).
ANSWER_NAMES = {
    "full_name": "name",
    "organisation": "organisation",
    "role": "role",
    "link": "LinkedIn or website",
    "tier": "package",
    "reason": "why you would like to join",
    "heard_from": "how you heard of us",
}


@dataclass
class Differs:
    """The address's last application, withdrawn or declined, and the answers a new
    submission does not share with it, by the names the form gives them."""

    application: Application
    names: list[str]


def differs(submission: Submission) -> Differs | None:
    """Whether these answers differ from the ones the address gave last, when that
    application was withdrawn or declined: someone else may have typed the address in."""
    last = Application.objects.filter(email=submission.email).first()
    if last is None or last.status not in (last.Status.WITHDRAWN, last.Status.DECLINED):
        return None
    names = [
        ANSWER_NAMES[field]
        for field in Application.CHANGEABLE
        if getattr(last, attname(field)) != getattr(submission, attname(field))
    ]
    return Differs(last, names) if names else None


def attname(field: str) -> str:
    return Application._meta.get_field(field).attname  # a package by its id, not its row


def confirm(submission: Submission) -> Confirmation | None:
    """The address is proven. None if another click used this link first."""
    with transaction.atomic():
        deleted, _ = Submission.objects.filter(pk=submission.pk).delete()
        if not deleted:
            return None
        if current_member(submission.email) is not None:
            return Confirmation(None)
        if (kept := standing(submission.email)) is not None:
            return Confirmation(kept)
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    **{field: getattr(submission, field) for field in Answers.FIELDS}
                )
        except IntegrityError:
            # Another confirmation for this address made one a moment ago: open that one.
            return Confirmation(standing(submission.email))
        history.record(history.What.APPLIED, [application], actor=history.Actor.APPLICANT)
        emails.application_received(application)
        emails.tell_managers(application)
    return Confirmation(application, created=True)


def change_answers(application: Application, answers: dict) -> bool:
    """The applicant's own change, while it waits; False if staff decided meanwhile."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status != Application.Status.PENDING:
            return False
        changed = [
            Application._meta.get_field(field).verbose_name
            for field in Application.CHANGEABLE
            if getattr(application, field) != answers[field]
        ]
        if changed:
            for field in Application.CHANGEABLE:
                setattr(application, field, answers[field])
            application.save()
            history.record(
                history.What.CHANGED,
                [application],
                actor=history.Actor.APPLICANT,
                detail=", ".join(changed)[:200],
            )
    return True


def withdraw(application: Application) -> bool:
    """The applicant leaves the line; False if staff decided meanwhile."""
    with transaction.atomic():
        withdrawn = Application.objects.filter(
            pk=application.pk, status=Application.Status.PENDING
        ).update(status=Application.Status.WITHDRAWN, updated_at=timezone.now())
        if withdrawn:
            history.record(history.What.WITHDRAWN, [application], actor=history.Actor.APPLICANT)
    return bool(withdrawn)


def send_link(address: str) -> None:
    """Email the address the link to its newest application, if it has one. The worker
    looks: the request does the same work for every address, so neither its page nor
    the time it takes tells whether the address applied."""
    email_application_link.enqueue(address)


@task()
def email_application_link(address: str) -> bool:
    application = Application.objects.filter(email=address).first()
    if application is not None:
        emails.application_link(application)
    return application is not None
