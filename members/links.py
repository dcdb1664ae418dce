"""Signed links that only a mailbox receives: confirming a submission, and opening the
applicant's own page. Each lives for its own setting; a link that was tampered with,
has expired or was used answers None, and the page asks for a new one."""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import salted_hmac

from .models import Application, Submission

CONFIRM = signing.TimestampSigner(salt="members.confirm")
OWN_PAGE = signing.TimestampSigner(salt="members.application")


def confirmation_url(submission: Submission) -> str:
    token = CONFIRM.sign(submission.pk.hex)
    return settings.SITE_URL + reverse("members:confirm", args=[token])


def submission_for(token: str) -> Submission | None:
    """The submission a confirmation link is for; None once it has been confirmed (a
    confirmation deletes it), so each link works once."""
    try:
        key = CONFIRM.unsign(token, max_age=settings.CONFIRMATION_MAX_AGE)
    except signing.BadSignature:
        return None
    return Submission.objects.select_related("tier").filter(pk=key).first()


def application_token(application: Application) -> str:
    """Signs the application and its address: staff correcting the address ends the links."""
    return OWN_PAGE.sign(f"{application.pk}.{address_digest(application)}")


def application_url(application: Application) -> str:
    path = reverse("members:application-link", args=[application_token(application)])
    return settings.SITE_URL + path


def application_for(token: str) -> Application | None:
    try:
        value = OWN_PAGE.unsign(token, max_age=settings.APPLICATION_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    pk, _, digest = value.partition(".")
    application = Application.objects.select_related("tier").filter(pk=pk).first()
    if application is None or address_digest(application) != digest:
        return None
    return application


def address_digest(application: Application) -> str:
    return salted_hmac("members.application.address", application.email).hexdigest()[:16]
