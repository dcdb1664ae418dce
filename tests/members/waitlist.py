"""Applying as a person does: send the form, then follow the link the email brings."""

import re

from django.core import mail
from django.test import Client

from members.addresses import canonical
from tests.worker import run_due_tasks

LINK = r"https?://[^/\s]+(/membership/{}/\S+/)"


def emailed_link(kind: str, to: str | None = None) -> str:
    """The path of the newest link of this kind ("confirm", "application", "login/...")
    sent to `to` (to anyone if None)."""
    for message in reversed(mail.outbox):
        found = re.search(LINK.format(kind), message.body)
        if found and (to is None or message.to == [to]):
            return found.group(1)
    raise AssertionError(f"no {kind} link in {[m.subject for m in mail.outbox]}")


def apply(client: Client, data: dict):
    """Send the form and let the worker send what it queued."""
    response = client.post("/membership/apply/", data)
    run_due_tasks()
    return response


def confirm(client: Client, to: str | None = None):
    """Follow the newest confirmation link and press its button; the worker then sends."""
    link = emailed_link("confirm", to)
    assert client.get(link).status_code == 200
    response = client.post(link)
    run_due_tasks()
    return response


def apply_and_confirm(client: Client, data: dict):
    apply(client, data)
    return confirm(client, canonical(data["email"]))
