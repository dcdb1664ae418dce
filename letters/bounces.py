"""Bounces and complaints reported by an email service, through django-anymail's
tracking webhooks (it checks each service's signature or credentials): a hard bounce or
a spam complaint stops the letter for that member, and shows on the delivery."""

import re
from functools import wraps

from anymail.exceptions import AnymailConfigurationError
from anymail.signals import tracking
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern

from members.addresses import same_address
from members.models import User

from .models import Delivery

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


def only_when_set_up(view):
    """A service whose keys are not set here answers 404, not a server error."""

    @wraps(view)
    def answer(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except AnymailConfigurationError:
            raise Http404("No email service of this kind is set up here.") from None

    return answer


def tracking_webhooks() -> list[URLPattern]:
    """django-anymail's delivery-report webhooks, one per email service (not its inbound
    mail ones: the site receives no mail)."""
    from anymail import urls

    return [
        URLPattern(p.pattern, only_when_set_up(p.callback), p.default_args, p.name)
        for p in urls.urlpatterns
        if p.name and p.name.endswith("_tracking_webhook")
    ]
