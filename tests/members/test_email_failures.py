"""A mail server that refuses or never answers loses nothing, and staff can send again."""

import socket
import threading

import pytest
from django.core import mail

from members.models import Application, Membership
from tests.factories import make_application, make_tier

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/members/application/"


@pytest.fixture
def refusing_smtp(settings):
    """A real SMTP connection to a port where nothing listens: refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    return settings


@pytest.fixture
def silent_smtp(settings):
    """A server that accepts the connection and then says nothing."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.getsockname()[1]
    settings.EMAIL_TIMEOUT = 1
    yield settings
    for connection, _ in accepted:
        connection.close()
    server.close()


def apply_form(tier) -> dict:
    return {
        "full_name": "Ada Reader",
        "email": "ada@example.com",
        "organisation": "Engines",
        "role": "Lead",
        "tier": tier.pk,
        "reason": "Twenty characters or more of reasons.",
        "heard_from": "friend",
        "consent": "on",
    }


@pytest.mark.parametrize("server", ["refusing_smtp", "silent_smtp"])
def test_the_application_is_kept_and_thanked_when_mail_fails(
    client, request, server, caplog, django_capture_on_commit_callbacks
):
    request.getfixturevalue(server)
    tier = make_tier()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/membership/apply/", apply_form(tier))

    assert response.status_code == 302
    assert response["Location"] == "/membership/apply/thanks/"
    assert Application.objects.filter(email="ada@example.com").exists()
    assert "Email 'application_received' could not be sent" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_failed_invitation_shows_in_admin_and_can_be_resent(staff_client, refusing_smtp, caplog):
    """With real commits, so the email is tried before the action reports."""
    application = make_application()

    response = staff_client.post(
        CHANGELIST,
        {"action": "approve", "_selected_action": [application.pk], "confirm": "yes"},
        follow=True,
    )

    assert Membership.objects.filter(user__email=application.email).exists()
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert application.invitation_sent_at is None
    shown = [str(m) for m in response.context["messages"]]
    assert "The invitation email could not be sent to 1." in shown[-1]
    assert "/membership/welcome/" not in caplog.text  # no invitation link in the logs

    refusing_smtp.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    resent = staff_client.post(
        CHANGELIST, {"action": "resend", "_selected_action": [application.pk]}, follow=True
    )
    assert [str(m) for m in resent.context["messages"]] == ["Invitation sent again: 1."]

    application.refresh_from_db()
    assert application.invitation_sent_at is not None
    assert mail.outbox[-1].to == [application.email]
