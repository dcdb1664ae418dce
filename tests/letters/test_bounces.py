"""A hard bounce or a spam complaint stops the letter for that member: reported by the
mail server at send time, or later by an email service's signed webhook (django-anymail)."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.core import mail
from django.test import Client

from letters import bounces
from letters.models import Delivery, Send
from letters.sending import send_post
from outbox.models import Email
from tests.factories import make_article, make_member, make_tier
from tests.outbox.smtp import MailServer

pytestmark = pytest.mark.django_db
SIGNING_KEY = "key-for-the-webhook-tests"
AUTH = "anymail:webhook-password"


@pytest.fixture
def sent(staff_user, run_tasks):
    tier = make_tier()
    ada = make_member(tier, email="ada@example.com")
    grace = make_member(tier, email="grace@example.com")
    send_post(make_article(), audience=Send.Audience.ALL, tier=None, sent_by=staff_user)
    run_tasks()
    return ada, grace


def test_a_mail_server_refusing_the_address_for_good_is_a_bounce(settings, staff_user, run_tasks):
    server = MailServer().start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        server.refusals = ["550 5.1.1 No such mailbox"]
        tier = make_tier()
        gone = make_member(tier, email="gone@example.com")
        make_member(tier, email="here@example.com")
        send_post(make_article(), audience=Send.Audience.ALL, tier=None, sent_by=staff_user)
        run_tasks()
    finally:
        server.stop()

    gone.refresh_from_db()
    assert gone.receives_letter is False
    assert Delivery.objects.get(user=gone).state == "bounced"
    assert Delivery.objects.exclude(user=gone).get().state == "sent"
    assert len(server.received) == 1


def mailgun_event(event: str, recipient: str, **data) -> dict:
    timestamp, token = str(int(time.time())), "a" * 50
    signature = hmac.new(
        SIGNING_KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {"event": event, "recipient": recipient, "timestamp": time.time(), **data},
    }


@pytest.fixture
def mailgun(settings):
    settings.EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": AUTH, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}

    def post(payload: dict, auth: str = AUTH):
        credentials = base64.b64encode(auth.encode()).decode()
        return Client().post(
            "/anymail/mailgun/tracking/",
            json.dumps(payload),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Basic {credentials}",
        )

    return post


@pytest.mark.parametrize(("event", "state"), [("failed", "bounced"), ("complained", "complained")])
def test_a_signed_report_of_a_bounce_or_complaint_stops_the_letter(sent, mailgun, event, state):
    ada, grace = sent
    email = Email.objects.get(to="ada@example.com")
    extra = {"severity": "permanent"} if event == "failed" else {}
    payload = mailgun_event(
        event, "ada@example.com", **{"user-variables": {"email": str(email.message_id)}}, **extra
    )

    assert mailgun(payload).status_code == 200

    ada.refresh_from_db(), grace.refresh_from_db()
    assert (ada.receives_letter, grace.receives_letter) == (False, True)
    assert Delivery.objects.get(user=ada).state == state
    assert Delivery.objects.get(user=grace).state == "sent"


def test_a_report_found_by_its_message_id_alone(sent, mailgun):
    ada, _ = sent
    email = Email.objects.get(to="ada@example.com")
    message = {"headers": {"message-id": email.message_id_header.strip("<>")}}
    payload = mailgun_event("failed", "ada@example.com", severity="permanent", message=message)
    assert mailgun(payload).status_code == 200
    assert Delivery.objects.get(user=ada).state == "bounced"


def test_a_temporary_failure_or_an_unsigned_report_changes_nothing(sent, mailgun):
    ada, _ = sent
    assert (
        mailgun(mailgun_event("failed", "ada@example.com", severity="temporary")).status_code == 200
    )
    forged = mailgun_event("complained", "ada@example.com")
    forged["signature"]["signature"] = "0" * 64
    assert mailgun(forged).status_code == 400
    assert mailgun(mailgun_event("complained", "ada@example.com"), auth="x:y").status_code == 400
    ada.refresh_from_db()
    assert ada.receives_letter is True
    assert mail.outbox  # the letters went


def test_a_service_not_set_up_here_answers_not_found(settings):
    settings.ANYMAIL = {}
    response = Client().post("/anymail/mailgun/tracking/", "{}", content_type="application/json")
    assert response.status_code == 404
    assert Client().post("/anymail/mailgun/inbound/").status_code == 404  # no inbound mail


@pytest.mark.parametrize("service", ["scaleway", "console", "../../admin", "amazon_ses"])
def test_a_service_without_a_webhook_or_not_sent_through_answers_not_found(settings, service):
    settings.EMAIL_BACKEND = "anymail.backends.scaleway.EmailBackend"  # sends, has no webhook
    settings.ANYMAIL = {"WEBHOOK_SECRET": AUTH}
    response = post_report(service, "{}", auth=AUTH)
    assert response.status_code == 404
    assert bounces.reports_verified() == []


# What each service that authenticates by HTTP basic auth alone would post to say that
# ada's address bounced for good.
BASIC_AUTH_SERVICES = {
    "sendgrid": [{"event": "bounce", "email": "ada@example.com", "type": "bounce"}],
    "mailjet": [{"event": "bounce", "email": "ada@example.com", "hard_bounce": True}],
    "postmark": {"RecordType": "Bounce", "Type": "HardBounce", "Email": "ada@example.com"},
    "brevo": {"event": "hard_bounce", "email": "ada@example.com"},
}


def post_report(service: str, payload, auth: str | None = None):
    headers = {}
    if auth:
        headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(auth.encode()).decode()
    return Client().post(
        f"/anymail/{service}/tracking/",
        payload if isinstance(payload, str) else json.dumps(payload),
        content_type="application/json",
        **headers,
    )


@pytest.mark.parametrize("service", BASIC_AUTH_SERVICES)
@pytest.mark.parametrize(
    "set_up",
    [
        {},  # no email service at all
        {"EMAIL_BACKEND": "anymail.backends.mailgun.EmailBackend"},  # only another one
        {"EMAIL_BACKEND": "anymail.backends.{service}.EmailBackend"},  # this one, no secret
    ],
    ids=["none", "mailgun only", "this one without a secret"],
)
def test_an_unsigned_report_to_a_basic_auth_service_changes_nothing(
    sent, settings, service, set_up
):
    ada, _ = sent
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY} if set_up else {}
    if set_up:
        settings.EMAIL_BACKEND = set_up["EMAIL_BACKEND"].format(service=service)
    assert post_report(service, BASIC_AUTH_SERVICES[service]).status_code == 404
    assert post_report(service, "[[[not json").status_code == 404
    ada.refresh_from_db()
    assert ada.receives_letter is True


@pytest.mark.parametrize("service", BASIC_AUTH_SERVICES)
def test_a_basic_auth_service_with_its_secret_takes_only_reports_that_carry_it(
    sent, settings, service
):
    ada, _ = sent
    settings.EMAIL_BACKEND = f"anymail.backends.{service}.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": AUTH}
    report = BASIC_AUTH_SERVICES[service]

    assert post_report(service, report).status_code == 400
    assert post_report(service, report, auth="anymail:guessed").status_code == 400
    ada.refresh_from_db()
    assert ada.receives_letter is True

    assert post_report(service, report, auth=AUTH).status_code == 200
    ada.refresh_from_db()
    assert ada.receives_letter is False


@pytest.mark.parametrize(
    "body", ["[[[not json", "{}", "[]", '"a string"', '{"event-data": []}', "null"]
)
def test_a_report_that_cannot_be_read_is_a_bad_request_not_a_server_error(mailgun, body):
    response = Client().post(
        "/anymail/mailgun/tracking/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(AUTH.encode()).decode(),
    )
    assert response.status_code == 400


def test_a_system_check_warns_while_the_service_sent_through_cannot_verify_reports(settings):
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {}
    (warning,) = bounces.reports_verified()
    assert warning.id == "letters.W001"
    assert warning.msg == (
        "Bounce reports from postmark will be refused: its webhook has no way to verify them."
    )
    settings.ANYMAIL = {"WEBHOOK_SECRET": AUTH}
    assert bounces.reports_verified() == []
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.ANYMAIL = {}
    assert bounces.reports_verified() == []
