"""Bounces and complaints reported by an email service, through django-anymail's
tracking webhooks: a hard bounce or a spam complaint stops the letter for that member,
and shows on the delivery. Only the service the site sends through answers, and only
once it can verify who calls (see set_up): a forged report must change nothing."""

import logging
import re
import warnings
from functools import cache
from importlib import import_module

from anymail.exceptions import AnymailConfigurationError, AnymailInsecureWebhookWarning
from anymail.signals import tracking
from django.conf import settings
from django.core import checks
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt

from members.addresses import same_address
from members.models import User

from .models import Delivery

logger = logging.getLogger(__name__)
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


def sent_through() -> str | None:
    """The django-anymail service the site sends through, if any ("mailgun")."""
    found = re.fullmatch(r"anymail\.backends\.(\w+)\.EmailBackend", settings.EMAIL_BACKEND)
    return found[1] if found else None


@cache
def tracking_view(service: str):
    """django-anymail's delivery-report view for `service`, or None where it has none.
    Imported when first asked for, never through anymail.urls: that imports every
    service's webhook, and with them boto3 and cryptography (30 MB of each web worker)."""
    try:
        module = import_module(f"anymail.webhooks.{service}")
    except ImportError:
        return None
    (view_class,) = {
        value
        for name, value in vars(module).items()
        if name.endswith("TrackingWebhookView") and value.__module__ == module.__name__
    }
    return view_class.as_view()


def set_up(service: str, view) -> bool:
    """Whether the webhook of `service` (the one the site sends through) can tell the
    service from anyone else: by a signing key, or by ANYMAIL_WEBHOOK_SECRET where the
    service has nothing but HTTP basic auth (django-anymail only warns when that is
    missing)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AnymailInsecureWebhookWarning)
        try:
            webhook = view.view_class(**view.view_initkwargs)
        except AnymailConfigurationError:
            return False
    return bool(webhook.basic_auth) or not webhook.warn_if_no_basic_auth


@csrf_exempt
def tracking_webhook(request: HttpRequest, service: str) -> HttpResponse:
    """/anymail/<service>/tracking/: only the service the site sends through answers, once
    its webhook is verified (404 otherwise); a report that cannot be read answers 400,
    never a server error."""
    view = tracking_view(service) if service == sent_through() else None
    if view is None or not set_up(service, view):
        raise Http404("No email service of this kind is set up here.")
    try:
        return view(request)
    except AnymailConfigurationError:
        raise Http404("No email service of this kind is set up here.") from None
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        logger.warning("A %s delivery report could not be read", service, exc_info=True)
        return HttpResponseBadRequest("This report could not be read.")


def reports_verified(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A system check: the email service the site sends through has a webhook that will
    take its reports."""
    service = sent_through()
    view = tracking_view(service) if service else None
    if view is None or set_up(service, view):
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
