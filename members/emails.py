"""The emails of the waitlist: each a subject, a plain-text and an HTML template.

Each is queued in the transaction that decided it (outbox.tasks.queue) and rendered
by the worker when it sends it, from the application or account it is about: the
invitation's link is made then, and never stored.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from outbox.models import Email
from outbox.tasks import Rendered, kind, queue, queue_many

from . import history
from .invitations import invitation_url, login_link_url
from .links import application_url, confirmation_url
from .models import Application, Submission, Tier, User


def publication_context() -> dict:
    """What every email may say of the publication (allauth's too, see adapters.py)."""
    return {
        "publication_name": settings.PUBLICATION_NAME,
        "site_url": settings.SITE_URL,
        "apply_url": settings.SITE_URL + reverse("members:apply"),
    }


def subject(template: str, context: dict) -> str:
    context = {**publication_context(), **context}
    return " ".join(render_to_string(f"members/email/{template}_subject.txt", context).split())


# What the renderers below read of an email's application or account (outbox.tasks.kind).
ABOUT_AN_APPLICATION = (
    "application__tier",
    "application__moving_from",
    "application__user__membership__tier",
)
ABOUT_A_MEMBER = ("user__membership__tier",)


def render(template: str, email: Email, context: dict, folder: str = "members/email") -> Rendered:
    context = {**publication_context(), **context, "subject": email.subject}
    if "application" in context:
        # Every email about an application leads back to the applicant's own page.
        context["application_url"] = application_url(context["application"])
    return Rendered(
        text=render_to_string(f"{folder}/{template}.txt", context).strip() + "\n",
        html=render_to_string(f"{folder}/{template}.html", context),
    )


def application_of(email: Email) -> Application:
    """The application an email is about: gone if staff deleted it, and then no email."""
    if email.application is None:
        raise Application.DoesNotExist(f"the application of email {email.pk} was deleted")
    return email.application


def confirm_application(submission: Submission) -> Email:
    return queue(
        "confirm_application",
        submission.email,
        subject("confirm_application", {}),
        context={"submission": submission.pk.hex},
    )


@kind("confirm_application")
def render_confirmation(email: Email) -> Rendered:
    """The link is made now from the submission: one confirmed or purged sends nothing."""
    submission = Submission.objects.select_related("tier").get(pk=email.context["submission"])
    return render(
        "confirm_application",
        email,
        {
            "submission": submission,
            "url": confirmation_url(submission),
            "valid_hours": settings.CONFIRMATION_MAX_AGE // 3600,
        },
    )


def user_of(email: Email) -> User:
    """The account an email is about: gone if it was deleted, and then no email."""
    if email.user is None:
        raise User.DoesNotExist(f"the account of email {email.pk} was deleted")
    return email.user


def application_received(application: Application) -> Email:
    return queue(
        "application_received",
        application.email,
        subject("application_received", {}),
        application=application,
    )


@kind("application_received", related=ABOUT_AN_APPLICATION)
def render_received(email: Email) -> Rendered:
    return render("application_received", email, {"application": application_of(email)})


def application_link(application: Application) -> Email:
    return queue(
        "application_link",
        application.email,
        subject("application_link", {}),
        application=application,
    )


@kind("application_link", related=ABOUT_AN_APPLICATION)
def render_application_link(email: Email) -> Rendered:
    return render(
        "application_link",
        email,
        {
            "application": application_of(email),
            "valid_days": settings.APPLICATION_LINK_MAX_AGE // 86400,
        },
    )


def already_a_member(member: User) -> Email:
    return queue("already_member", member.email, subject("already_member", {}), user=member)


@kind("already_member", related=ABOUT_A_MEMBER)
def render_already_a_member(email: Email) -> Rendered:
    member = user_of(email)
    return render(
        "already_member",
        email,
        {
            "member": member,
            "url": login_link_url(member),
            "valid_minutes": settings.LOGIN_LINK_MAX_AGE // 60,
            "reset_url": settings.SITE_URL + reverse("account_reset_password"),
        },
    )


def tell_managers(application: Application) -> list[Email]:
    """Staff's notice of a new application, one email to each of MANAGERS."""
    heading = application.asks if application.moving_from_id else "New application"
    title = " ".join(f"{heading}: {application.full_name} ({application.tier})".split())
    return [
        queue(
            "new_application",
            address,
            settings.EMAIL_SUBJECT_PREFIX + title,
            application=application,
        )
        for _, address in settings.MANAGERS
    ]


@kind("new_application", related=ABOUT_AN_APPLICATION)
def render_managers_notice(email: Email) -> Rendered:
    application = application_of(email)
    admin_url = settings.SITE_URL + reverse(
        "admin:members_application_change", args=[application.pk]
    )
    if application.moving_from_id:
        asked = f"a member, asks to move from {application.moving_from} to {application.tier}"
    else:
        asked = f"{application.role} at {application.organisation}, applied for {application.tier}"
    return Rendered(f"{application.full_name}, {asked}.\n\nReview it: {admin_url}\n")


def invitations(applications: list[Application]) -> list[Email]:
    line = subject("invitation", {})
    return queue_many(
        [
            Email(kind="invitation", to=a.email, subject=line, application=a, user=a.user)
            for a in applications
        ]
    )


def record_invitations_sent(sent: list[Email]) -> None:
    """The application shows when its invitation went: a failed one shows as not sent."""
    applications = Application.objects.filter(pk__in=[email.application_id for email in sent])
    applications.update(invitation_sent_at=timezone.now())
    history.record(history.What.INVITED, applications, actor=history.Actor.SYSTEM)


@kind("invitation", related=ABOUT_AN_APPLICATION, on_sent=record_invitations_sent)
def render_invitation(email: Email) -> Rendered:
    application = application_of(email)
    return render(
        "invitation",
        email,
        {
            "application": application,
            "url": invitation_url(application.user),
            "valid_days": settings.INVITATION_MAX_AGE // 86400,
        },
    )


def moved(applications: list[Application], tier: Tier | None) -> list[Email]:
    """The member's news that their package changed (to `tier`, if staff chose another than
    the one asked for): no invitation, they have an account."""
    return queue_many(
        [
            Email(
                kind="moved",
                to=a.email,
                subject=subject("moved", {"tier": tier or a.tier}),
                application=a,
                user=a.user,
            )
            for a in applications
        ]
    )


@kind("moved", related=ABOUT_AN_APPLICATION)
def render_moved(email: Email) -> Rendered:
    account_url = settings.SITE_URL + reverse("members:account")
    return render(
        "moved", email, {"application": application_of(email), "account_url": account_url}
    )


def declined_many(applications: list[Application], note: str = "") -> list[Email]:
    line = subject("declined", {})
    context = {"note": note} if note else {}
    return queue_many(
        [
            Email(kind="declined", to=a.email, subject=line, application=a, context=context)
            for a in applications
        ]
    )


@kind("declined", related=ABOUT_AN_APPLICATION)
def render_declined(email: Email) -> Rendered:
    note = (email.context or {}).get("note", "")
    return render("declined", email, {"application": application_of(email), "note": note})
