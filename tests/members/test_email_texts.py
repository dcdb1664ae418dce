"""Every email a person can receive: its exact subject and text, and where its links go.

Links are built from SITE_URL, never from the request's Host header (Django's
host check ignores the port, so a forged `Host: testserver:6666` passes it).
"""

import re
from datetime import timedelta

import pytest
from allauth.account.adapter import get_adapter
from allauth.core.context import request_context
from django.core import mail
from django.utils import timezone

from members import emails
from members.approvals import approve_application, decline_application, resend_invitation
from tests.factories import make_application, make_member, make_submission, make_tier
from tests.worker import run_due_tasks

pytestmark = pytest.mark.django_db

SITE = "https://news.example.com"
FORGED = {"headers": {"Host": "testserver:6666"}}


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE
    settings.PUBLICATION_NAME = "The Ledger"
    settings.DEFAULT_FROM_EMAIL = settings.EMAIL_REPLY_TO = "The Ledger <editors@example.com>"
    settings.MANAGERS = [("", "managers@example.com")]


@pytest.fixture
def insider():
    return make_tier(name="Insider", slug="insider")


@pytest.fixture
def application(insider):
    return make_application(full_name="Ada Reader", email="ada@example.com", tier=insider)


def only_email():
    run_due_tasks()
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    return mail.outbox[0]


def links(message) -> list[str]:
    texts = [message.body, *(content for content, _ in getattr(message, "alternatives", []))]
    return [link for text in texts for link in re.findall(r"https?://[^\s\"<>]+", text)]


def assert_every_link_on_the_site(message) -> None:
    assert links(message), "an email with no link"
    assert all(f"{link}/".startswith(f"{SITE}/") for link in links(message)), links(message)


def html_of(message) -> str:
    (html, kind) = message.alternatives[0]
    assert kind == "text/html"
    return html


OWN_PAGE = re.compile(r"/membership/application/[^/\s\"]+/")


def test_confirm_application(insider):
    """It carries nothing the sender typed but the address: not even the name."""
    submission = make_submission(full_name="Mallory <b>Spam</b>", tier=insider)
    emails.confirm_application(submission)
    message = only_email()
    assert message.to == [submission.email]
    assert message.subject == "Confirm your application to The Ledger"
    assert message.reply_to == ["The Ledger <editors@example.com>"]
    body = re.sub(r"/confirm/[^/]+/", "/confirm/TOKEN/", message.body)
    assert body == (
        "Hello,\n\n"
        "Please confirm your application to the Member Waitlist of The Ledger, for the "
        "Insider package. It counts, and takes its place in line, once you do:\n"
        "https://news.example.com/membership/confirm/TOKEN/\n\n"
        "The link works once and for 48 hours. If you did not apply, ignore this email: "
        "nothing will be kept.\n\n"
        "The Ledger\n"
    )
    assert "Mallory" not in message.body + html_of(message)
    assert "<title>Confirm your application to The Ledger</title>" in html_of(message)
    assert '">Confirm my application</a>' in html_of(message)
    assert_every_link_on_the_site(message)


def test_application_received(application):
    emails.application_received(application)
    message = only_email()
    assert message.subject == "Your application to The Ledger"
    assert message.reply_to == ["The Ledger <editors@example.com>"]
    assert OWN_PAGE.sub("/membership/application/TOKEN/", message.body) == (
        "Dear Ada Reader,\n\n"
        "Thank you for applying to the Member Waitlist of The Ledger. Your application is "
        "confirmed and in line for the Insider package.\n\n"
        "What happens next: our editors read every application themselves. If yours is "
        "approved, we will email you an invitation to set a password and start reading. If we "
        "cannot offer you a place, we will let you know.\n\n"
        "See your application, change your answers or withdraw it:\n"
        "https://news.example.com/membership/application/TOKEN/\n\n"
        "The Ledger\nhttps://news.example.com/\n"
    )
    assert "<title>Your application to The Ledger</title>" in html_of(message)
    assert '">See your application</a>, change your answers or withdraw it.' in html_of(message)
    assert_every_link_on_the_site(message)


def test_application_link(application):
    emails.application_link(application)
    message = only_email()
    assert message.subject == "The link to your application to The Ledger"
    assert OWN_PAGE.sub("/membership/application/TOKEN/", message.body) == (
        "Dear Ada Reader,\n\n"
        "Here is the link to your application to The Ledger, as you asked:\n"
        "https://news.example.com/membership/application/TOKEN/\n\n"
        "It works for 30 days. If you did not ask for it, you can ignore this email.\n\n"
        "The Ledger\n"
    )
    assert "<title>The link to your application to The Ledger</title>" in html_of(message)
    assert_every_link_on_the_site(message)


@pytest.mark.parametrize(
    ("first", "last", "greeting"),
    [("", "", "Hello,"), ("Ada", "Lovelace", "Dear Ada Lovelace,")],
)
def test_already_a_member(first, last, greeting):
    """Greeted by the account's own name, if it has one: never by a name typed in the form."""
    member = make_member(email="ada@example.com")
    member.first_name, member.last_name = first, last
    member.save()
    emails.already_a_member(member)
    message = only_email()
    assert message.subject == "You're already a member of The Ledger"
    body = re.sub(r"/login/[^/]+/[^/]+/", "/login/UID/TOKEN/", message.body)
    assert f"<p>{greeting}</p>" in html_of(message)
    assert body == (
        f"{greeting}\n\n"
        "Someone, probably you, just applied to the Member Waitlist of The Ledger with this "
        "email address. It already belongs to a member, so there is no need to apply.\n\n"
        "Log in with this link:\n"
        "https://news.example.com/membership/login/UID/TOKEN/\n\n"
        "It works once and for 60 minutes. Forgotten your password? Reset it: "
        "https://news.example.com/accounts/password/reset/\n\n"
        "If this wasn't you, you can ignore this email.\n\n"
        "The Ledger\n"
    )
    assert "<title>You&#x27;re already a member of The Ledger</title>" in html_of(message)
    assert_every_link_on_the_site(message)


def test_invitation(application, staff_user, run_tasks):
    approve_application(application, approved_by=staff_user)
    run_tasks()
    message = next(m for m in mail.outbox if m.to == ["ada@example.com"])
    assert message.subject == "Welcome to The Ledger: your invitation"
    assert message.reply_to == ["The Ledger <editors@example.com>"]  # "reply to this email"
    body = re.sub(r"/welcome/[^/]+/[^/]+/", "/welcome/UID/TOKEN/", message.body)
    body = OWN_PAGE.sub("/membership/application/TOKEN/", body)
    assert body == (
        "Dear Ada Reader,\n\n"
        "Your application has been approved: you are now a member of The Ledger, with the "
        "Insider package.\n\n"
        "Set your password and start reading:\n"
        "https://news.example.com/membership/welcome/UID/TOKEN/\n\n"
        "The link works once and for 7 days. If it has expired, reply to this email and we "
        "will send a new one.\n\n"
        "As a member you will receive our members' letter by email: new posts, and a weekly "
        "letter. You can turn it off on your account page, or from any letter.\n\n"
        "Your application: https://news.example.com/membership/application/TOKEN/\n\n"
        "The Ledger\n"
    )
    assert "<title>Welcome to The Ledger: your invitation</title>" in html_of(message)
    assert "with the <strong>Insider</strong> package" in html_of(message)
    assert_every_link_on_the_site(message)
    mail.outbox.clear()
    resend_invitation(application)
    run_tasks()
    assert only_email().subject == "Welcome to The Ledger: your invitation"


def test_declined(application, staff_user, run_tasks, settings):
    settings.REAPPLY_AFTER_DAYS = 180
    decline_application(application, declined_by=staff_user, notify=True)
    run_tasks()
    message = only_email()
    assert message.subject == "Your application to The Ledger"
    again = timezone.localdate() + timedelta(days=180)
    assert OWN_PAGE.sub("/membership/application/TOKEN/", message.body) == (
        "Dear Ada Reader,\n\n"
        "Thank you for applying to the Member Waitlist of The Ledger. We are not able to offer "
        f"you a membership at this time. You are welcome to apply again from {again:%-d %B %Y}."
        "\n\n"
        "You are welcome to keep reading our free essays at https://news.example.com/.\n\n"
        "Your application: https://news.example.com/membership/application/TOKEN/\n\n"
        "The Ledger\n"
    )
    assert "<title>Your application to The Ledger</title>" in html_of(message)
    assert_every_link_on_the_site(message)


def test_the_managers_notice(application):
    emails.tell_managers(application)
    message = only_email()
    assert message.to == ["managers@example.com"]
    assert message.subject == "[The Ledger] New application: Ada Reader (Insider)"
    assert message.body == (
        "Ada Reader, Analyst at Example Corp, applied for Insider.\n\n"
        f"Review it: https://news.example.com/admin/members/application/{application.pk}/change/\n"
    )


# allauth's emails, asked for with a forged Host header and port.


def test_password_reset(client):
    make_member(email="ada@example.com")
    client.post("/accounts/password/reset/", {"email": "ada@example.com"}, **FORGED)
    message = only_email()
    assert message.subject == "Choose a new password for The Ledger"
    assert message.reply_to == ["The Ledger <editors@example.com>"]
    body = re.sub(r"/key/\S+/", "/key/KEY/", message.body)
    assert body == (
        "Hello from The Ledger,\n\n"
        "Someone, probably you, asked to choose a new password for the account at this "
        "address.\n\n"
        "To choose one, open this link:\n"
        "https://news.example.com/accounts/password/reset/key/KEY/\n\n"
        "It works once, for a limited time. If this wasn't you, ignore this email: your "
        "password stays as it is.\n\n"
        "The Ledger\nhttps://news.example.com/\n"
    )
    html = re.sub(r"/key/[^\"]+/", "/key/KEY/", html_of(message))
    assert (
        '<a href="https://news.example.com/accounts/password/reset/key/KEY/">Choose a new password</a>'
        in html
    )
    assert "6666" not in message.body and "testserver" not in message.body


def test_password_reset_for_an_unknown_address_points_to_the_waitlist(client):
    client.post("/accounts/password/reset/", {"email": "nobody@example.com"}, **FORGED)
    message = only_email()
    assert message.subject == "No member account at The Ledger uses this address"
    assert message.body == (
        "Hello from The Ledger,\n\n"
        "Someone, probably you, asked to log in to The Ledger or to reset a password with this "
        "email address (nobody@example.com), but no member account uses it.\n\n"
        "If this wasn't you, you can ignore this email.\n\n"
        "Membership is by application. To become a member, apply to our Member Waitlist:\n"
        "https://news.example.com/membership/apply/\n\n"
        "The Ledger\nhttps://news.example.com/\n"
    )
    assert "/accounts/signup/" not in message.body
    assert (
        '<a href="https://news.example.com/membership/apply/">apply to our Member Waitlist</a>'
        in html_of(message)
    )


def test_login_code(client):
    make_member(email="ada@example.com")
    client.post("/accounts/login/code/", {"email": "ada@example.com"}, **FORGED)
    message = only_email()
    assert message.subject == "Your sign-in code for The Ledger"
    body = re.sub(r"\n[A-Z0-9-]{6,}\n", "\nCODE\n", message.body)
    assert body == (
        "Hello from The Ledger,\n\n"
        "Here is your sign-in code. Enter it in the window where you asked for it:\n\n"
        "CODE\n\n"
        "It works for a few minutes, once. If you did not ask for it, ignore this email: "
        "nobody can log in without it.\n\n"
        "The Ledger\nhttps://news.example.com/\n"
    )
    code = re.search(r"^([A-Z]{4}-[A-Z]{4})$", message.body, re.M)[1]
    assert f"<strong>{code}</strong>" in html_of(message)
    assert_every_link_on_the_site(message)


def test_login_code_for_an_unknown_address_points_to_the_waitlist(client):
    client.post("/accounts/login/code/", {"email": "nobody@example.com"}, **FORGED)
    message = only_email()
    assert message.subject == "No member account at The Ledger uses this address"
    assert_every_link_on_the_site(message)
    assert "https://news.example.com/membership/apply/" in message.body


def test_email_change_confirmation(client, run_tasks):
    client.force_login(make_member(email="old@example.com"))
    client.post("/accounts/email/", {"action_add": "", "email": "new@example.com"}, **FORGED)
    run_tasks()
    message = next(m for m in mail.outbox if m.to == ["new@example.com"])
    assert message.subject == "Confirm your new email address for The Ledger"
    body = re.sub(r"/confirm-email/\S+/", "/confirm-email/KEY/", message.body)
    assert body == (
        "Hello from The Ledger,\n\n"
        "Someone, probably you, asked to use this email address for a membership of "
        "The Ledger.\n\n"
        "To confirm it, open this link:\n"
        "https://news.example.com/accounts/confirm-email/KEY/\n\n"
        "If this wasn't you, you can ignore this email.\n\n"
        "The Ledger\nhttps://news.example.com/\n"
    )
    html = re.sub(r"/confirm-email/[^\"]+/", "/confirm-email/KEY/", html_of(message))
    assert (
        '<p><a href="https://news.example.com/accounts/confirm-email/KEY/">'
        "Confirm this email address</a></p>"
    ) in html


def test_password_changed_notice(client):
    member = make_member(email="ada@example.com")
    client.force_login(member)
    client.post(
        "/accounts/password/change/",
        {
            "oldpassword": "a-long-pw",
            "password1": "a new long passphrase",
            "password2": "a new long passphrase",
        },
        headers={"Host": "testserver:6666", "User-Agent": "Firefox/140.0"},
        REMOTE_ADDR="192.0.2.7",
    )
    message = only_email()
    assert message.subject == "Your password at The Ledger was changed"
    when = timezone.localtime().strftime("%-d %B %Y, %H:")
    body = re.sub(r"When: .*\n", "When: WHEN\n", message.body)
    assert body == (
        "Hello,\n\n"
        "The password of your account at The Ledger was changed.\n\n"
        "If you made this change, there is nothing more to do. If you did not, reply to this "
        "email at once and we will help you secure your account.\n\n"
        "When: WHEN\n"
        "From: IP address 192.0.2.7, Firefox/140.0\n\n"
        "The Ledger\nhttps://news.example.com/\n"
    )
    assert f"When: {when}" in message.body
    html = html_of(message)
    assert "<p>The password of your account at The Ledger was changed.</p>" in html
    assert "From: IP address 192.0.2.7, Firefox/140.0</p>" in html


@pytest.mark.parametrize(
    ("template", "context", "subject", "says"),
    [
        (
            "password_changed",
            {},
            "Your password at The Ledger was changed",
            "The password of your account at The Ledger was changed.",
        ),
        (
            "password_set",
            {},
            "Your password at The Ledger was set",
            "A password was set for your account at The Ledger.",
        ),
        (
            "password_reset",
            {},
            "Your password at The Ledger was reset",
            "The password of your account at The Ledger was reset.",
        ),
        (
            "email_changed",
            {"from_email": "old@example.com", "to_email": "new@example.com"},
            "Your email address at The Ledger was changed",
            "Your account at The Ledger now uses new@example.com instead of old@example.com: "
            "its emails go there from now on.",
        ),
        (
            "email_confirm",
            {"email": "new@example.com"},
            "Your email address at The Ledger is confirmed",
            "new@example.com is confirmed as an email address of your account at The Ledger.",
        ),
        (
            "email_deleted",
            {"deleted_email": "old@example.com"},
            "An email address was removed from your account at The Ledger",
            "old@example.com was removed from your account at The Ledger.",
        ),
    ],
)
def test_every_account_notice(template, context, subject, says, rf):
    """allauth's notices of account changes, as a member receives them: greeted by the
    account's own name when it has one, in text and in HTML."""
    member = make_member(email="ada@example.com")
    member.first_name, member.last_name = "Ada", "Lovelace"
    member.save()
    request = rf.post("/accounts/email/", headers={"Host": "testserver:6666"})
    with request_context(request):
        get_adapter(request).send_notification_mail(f"account/email/{template}", member, context)
    message = only_email()
    assert message.subject == subject
    assert message.reply_to == ["The Ledger <editors@example.com>"]
    assert message.body.startswith(
        f"Dear Ada Lovelace,\n\n{says}\n\nIf you made this change, there is nothing more to do."
    )
    assert message.body.endswith(
        "From: IP address 127.0.0.1\n\nThe Ledger\nhttps://news.example.com/\n"
    )
    html = html_of(message)
    assert f"<p>Dear Ada Lovelace,</p>\n<p>{says}</p>" in html
    assert '<a href="https://news.example.com/">https://news.example.com/</a>' in html
    assert "6666" not in message.body + html and "testserver" not in message.body + html
