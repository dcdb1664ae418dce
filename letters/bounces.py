"""Bounces and complaints reported by an email service, through django-anymail's
tracking webhooks (it checks each service's signature or credentials): a hard bounce or
a spam complaint stops the letter for that member, and shows on the delivery."""

import re

from anymail.signals import tracking
from django.dispatch import receiver

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
