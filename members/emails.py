"""The emails of the waitlist: each a subject, a plain-text and an HTML template."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mail_managers
from django.template.loader import render_to_string
from django.urls import reverse

from .invitations import invitation_url
from .models import Application


def send(template: str, to: str, context: dict) -> None:
    context = {
        "publication_name": settings.PUBLICATION_NAME,
        "site_url": settings.SITE_URL,
        **context,
    }
    subject = render_to_string(f"members/email/{template}_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"members/email/{template}.txt", context),
        to=[to],
    )
    message.attach_alternative(
        render_to_string(f"members/email/{template}.html", context), "text/html"
    )
    message.send()


def application_received(application: Application, *, updated: bool) -> None:
    send(
        "application_received", application.email, {"application": application, "updated": updated}
    )


def already_a_member(email: str) -> None:
    send(
        "already_member",
        email,
        {
            "login_url": settings.SITE_URL + reverse("account_login"),
            "reset_url": settings.SITE_URL + reverse("account_reset_password"),
        },
    )


def tell_managers(application: Application) -> None:
    admin_url = settings.SITE_URL + reverse(
        "admin:members_application_change", args=[application.pk]
    )
    mail_managers(
        " ".join(f"New application: {application.full_name} ({application.tier})".split()),
        f"{application.full_name}, {application.role} at {application.organisation}, "
        f"applied for {application.tier}.\n\nReview it: {admin_url}\n",
    )


def invitation(application: Application) -> None:
    send(
        "invitation",
        application.email,
        {
            "application": application,
            "url": invitation_url(application.user),
            "valid_days": settings.INVITATION_MAX_AGE // 86400,
        },
    )


def declined(application: Application) -> None:
    send("declined", application.email, {"application": application})
