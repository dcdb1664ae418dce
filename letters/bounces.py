"""Bounces and complaints reported by an email service, through django-anymail's
tracking webhooks: a hard bounce or a spam complaint stops the letter for that member,
and shows on the delivery. Only the service the site sends through answers, and only
once it can verify who calls (see set_up): a forged report must change nothing."""

import logging
import re
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps

from anymail.exceptions import AnymailConfigurationError, AnymailInsecureWebhookWarning
from anymail.signals import tracking
from django.conf import settings
from django.core import checks
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import URLPattern

from members.addresses import same_address
from members.models import User

from .models import Delivery

logger = logging.getLogger(__name__)
TRACKING = "_tracking_webhook"  # the names of django-anymail's delivery-report URLs
STOPS = {"bounced": Delivery.State.BOUNCED, "complained": Delivery.State.COMPLAINED}


@receiver(tracking)
def stop_the_letter(sender, event, esp_name: str, **kwargs) -> None:
    state = STOPS.get(event.event_type)
    if state is None or not event.recipient:
        return
    address = same_address(event.recipient)
    User.objects.filter(email=address).update(receives_letter=False)
    # The email our outbox sent: named in the metadata every message carries, or by its
    # Message-ID (<uuid@host>), which services that keep no metadata report.
    sent = (event.metadata or {}).get("email") or message_uuid(event.message_id or "")
    if sent:
        Delivery.objects.filter(email__message_id=sent, email__to=address).update(state=state)


def message_uuid(message_id: str) -> str | None:
    found = re.fullmatch(r"<?([0-9a-f-]{36})@[^>]+>?", message_id.strip())
    return found[1] if found else None


def set_up(service: str, view) -> bool:
    """Whether the site sends through `service` and its webhook can tell the service from
    anyone else: by a signing key, or by ANYMAIL_WEBHOOK_SECRET where the service has
    nothing but HTTP basic auth (django-anymail only warns when that is missing)."""
    if settings.EMAIL_BACKEND != f"anymail.backends.{service}.EmailBackend":
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AnymailInsecureWebhookWarning)
        try:
            webhook = view.view_class(**view.view_initkwargs)
        except AnymailConfigurationError:
            return False
    return bool(webhook.basic_auth) or not webhook.warn_if_no_basic_auth


def only_when_set_up(service: str, view):
    """The webhook of a service that is not set up, or not verified, answers 404; a report
    that cannot be read answers 400, never a server error."""

    @wraps(view)
    def answer(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not set_up(service, view):
            raise Http404("No email service of this kind is set up here.")
        try:
            return view(request, *args, **kwargs)
        except AnymailConfigurationError:
            raise Http404("No email service of this kind is set up here.") from None
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            logger.warning("A %s delivery report could not be read", service, exc_info=True)
            return HttpResponseBadRequest("This report could not be read.")

    return answer


def reports_verified(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A system check: the email service the site sends through has a webhook that will
    take its reports."""
    service = settings.EMAIL_BACKEND.removeprefix("anymail.backends.").removesuffix(".EmailBackend")
    webhooks = tracking_patterns()
    if service not in webhooks or set_up(service, webhooks[service].callback):
        return []
    return [
        checks.Warning(
            f"Bounce reports from {service} will be refused: its webhook has no way to"
            " verify them.",
            hint="Set its signing key, or ANYMAIL_WEBHOOK_SECRET for a service with only"
            " HTTP basic auth (the README's section on the members' letter).",
            id="letters.W001",
        )
    ]


def tracking_patterns() -> dict[str, URLPattern]:
    """django-anymail's delivery-report URLs by email service (not its inbound mail ones:
    the site receives no mail)."""
    with boto3_only_if_used():
        from anymail import urls

    return {
        p.name.removesuffix(TRACKING): p
        for p in urls.urlpatterns
        if p.name and p.name.endswith(TRACKING)
    }


@contextmanager
def boto3_only_if_used() -> Iterator[None]:
    """anymail's Amazon SES webhook imports boto3 whenever it is installed, as it is for
    django-storages' S3 backend: 20 MB of every web worker (bench: 78.6 -> 98.3 MB). Where
    the site neither sends through SES nor keeps media in a bucket, that module is shown
    boto3 as missing, and takes it as anymail does (its SES views would then say so)."""
    used = "amazon_ses" in settings.EMAIL_BACKEND or settings.AWS_STORAGE_BUCKET_NAME
    if used or "boto3" in sys.modules:
        yield
        return
    sys.modules["boto3"] = None  # an import of it raises ImportError
    try:
        yield
    finally:
        del sys.modules["boto3"]


def tracking_webhooks() -> list[URLPattern]:
    """The delivery-report webhooks, each answering only when its service is set up."""
    return [
        URLPattern(p.pattern, only_when_set_up(service, p.callback), p.default_args, p.name)
        for service, p in tracking_patterns().items()
    ]
