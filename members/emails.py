"""The emails of the waitlist: each a subject, a plain-text and an HTML template.

Sending happens after the transaction that decided it has committed. A mail
server that refuses or times out loses no data: the failure is logged (without
the message, which may hold an invitation link) and the caller is told, so staff
can send again from the admin.
"""

import logging
import smtplib
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mail_managers
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .invitations import invitation_url
from .models import Application

logger = logging.getLogger(__name__)
SEND_ERRORS = (smtplib.SMTPException, OSError)  # refusals, timeouts, unreachable hosts


def send(template: str, to: str, context: dict) -> bool:
    context = {
        "publication_name": settings.PUBLICATION_NAME,
        "site_url": settings.SITE_URL,
        **context,
    }
    context["subject"] = " ".join(
        render_to_string(f"members/email/{template}_subject.txt", context).split()
    )
    message = EmailMultiAlternatives(
        subject=context["subject"],
        body=render_to_string(f"members/email/{template}.txt", context).strip() + "\n",
        to=[to],
        reply_to=[settings.EMAIL_REPLY_TO],
    )
    message.attach_alternative(
        render_to_string(f"members/email/{template}.html", context), "text/html"
    )
    return delivered(message.send, template)


def delivered(sending: Callable[[], object], what: str) -> bool:
    """Send; on a refusal or a timeout log which email failed (never its text) and say so."""
    try:
        sending()
    except SEND_ERRORS as error:
        logger.error("Email %r could not be sent: %s", what, type(error).__name__)
        return False
    return True


def application_received(application: Application, *, updated: bool) -> bool:
    return send(
        "application_received", application.email, {"application": application, "updated": updated}
    )


def already_a_member(email: str) -> bool:
    return send(
        "already_member",
        email,
        {
            "login_url": settings.SITE_URL + reverse("account_login"),
            "reset_url": settings.SITE_URL + reverse("account_reset_password"),
        },
    )


def tell_managers(application: Application) -> bool:
    admin_url = settings.SITE_URL + reverse(
        "admin:members_application_change", args=[application.pk]
    )
    subject = " ".join(f"New application: {application.full_name} ({application.tier})".split())
    body = (
        f"{application.full_name}, {application.role} at {application.organisation}, "
        f"applied for {application.tier}.\n\nReview it: {admin_url}\n"
    )
    return delivered(lambda: mail_managers(subject, body), "new application")


def invitation(application: Application) -> bool:
    """Send the invitation; record when it went, so a failed one shows in the admin."""
    sent = send(
        "invitation",
        application.email,
        {
            "application": application,
            "url": invitation_url(application.user),
            "valid_days": settings.INVITATION_MAX_AGE // 86400,
        },
    )
    if sent:
        Application.objects.filter(pk=application.pk).update(invitation_sent_at=timezone.now())
    return sent


def declined(application: Application) -> bool:
    return send("declined", application.email, {"application": application})
