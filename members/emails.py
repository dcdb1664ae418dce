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
from outbox.tasks import Rendered, kind, queue

from .invitations import invitation_url
from .models import Application


def common(context: dict) -> dict:
    return {"publication_name": settings.PUBLICATION_NAME, "site_url": settings.SITE_URL, **context}


def subject(template: str, context: dict) -> str:
    return " ".join(
        render_to_string(f"members/email/{template}_subject.txt", common(context)).split()
    )


def render(template: str, email: Email, context: dict) -> Rendered:
    context = common({**context, "subject": email.subject})
    return Rendered(
        text=render_to_string(f"members/email/{template}.txt", context).strip() + "\n",
        html=render_to_string(f"members/email/{template}.html", context),
    )


def application_received(application: Application, *, updated: bool) -> Email:
    return queue(
        "application_updated" if updated else "application_received",
        application.email,
        subject("application_received", {"updated": updated}),
        application=application,
    )


@kind("application_received")
def render_received(email: Email) -> Rendered:
    return render("application_received", email, {"application": email.application})


@kind("application_updated")
def render_updated(email: Email) -> Rendered:
    return render(
        "application_received", email, {"application": email.application, "updated": True}
    )


def already_a_member(address: str) -> Email:
    return queue("already_member", address, subject("already_member", {}))


@kind("already_member")
def render_already_a_member(email: Email) -> Rendered:
    return render(
        "already_member",
        email,
        {
            "login_url": settings.SITE_URL + reverse("account_login"),
            "reset_url": settings.SITE_URL + reverse("account_reset_password"),
        },
    )


def tell_managers(application: Application) -> list[Email]:
    """Staff's notice of a new application, one email to each of MANAGERS."""
    title = " ".join(f"New application: {application.full_name} ({application.tier})".split())
    return [
        queue(
            "new_application",
            address,
            settings.EMAIL_SUBJECT_PREFIX + title,
            application=application,
        )
        for _, address in settings.MANAGERS
    ]


@kind("new_application")
def render_managers_notice(email: Email) -> Rendered:
    application = email.application
    admin_url = settings.SITE_URL + reverse(
        "admin:members_application_change", args=[application.pk]
    )
    return Rendered(
        f"{application.full_name}, {application.role} at {application.organisation}, "
        f"applied for {application.tier}.\n\nReview it: {admin_url}\n"
    )


def invitation(application: Application) -> Email:
    return queue(
        "invitation",
        application.email,
        subject("invitation", {}),
        application=application,
        user=application.user,
    )


def record_invitation_sent(email: Email) -> None:
    """The application shows when its invitation went: a failed one shows as not sent."""
    Application.objects.filter(pk=email.application_id).update(invitation_sent_at=timezone.now())


@kind("invitation", on_sent=record_invitation_sent)
def render_invitation(email: Email) -> Rendered:
    application = email.application
    return render(
        "invitation",
        email,
        {
            "application": application,
            "url": invitation_url(application.user),
            "valid_days": settings.INVITATION_MAX_AGE // 86400,
        },
    )


def declined(application: Application) -> Email:
    return queue("declined", application.email, subject("declined", {}), application=application)


@kind("declined")
def render_declined(email: Email) -> Rendered:
    return render("declined", email, {"application": email.application})
