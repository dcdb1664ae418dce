"""The outbox: what a queued email records, how an attempt is claimed, retried or failed,
and that no record holds a way into an account."""

import re
import smtplib
import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from members import emails
from members.approvals import approve_application
from outbox.models import Email
from outbox.tasks import claim, describe, is_temporary, record_failure
from tests.factories import (
    application_answers,
    make_application,
    make_member,
    make_tier,
    member_note,
)
from tests.members.waitlist import apply

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("error", "temporary", "described"),
    [
        (ConnectionRefusedError(111, "Connection refused"), True, "ConnectionRefusedError"),
        (TimeoutError("timed out"), True, "TimeoutError"),
        (socket.gaierror(-2, "Name or service not known"), True, "gaierror"),
        (smtplib.SMTPServerDisconnected("closed"), True, "SMTPServerDisconnected"),
        (smtplib.SMTPConnectError(421, b"busy"), True, "SMTPConnectError 421"),
        (smtplib.SMTPConnectError(554, b"no"), False, "SMTPConnectError 554"),
        (smtplib.SMTPSenderRefused(451, b"later", "a@x"), True, "SMTPSenderRefused 451"),
        (smtplib.SMTPDataError(552, b"too big"), False, "SMTPDataError 552"),
        (smtplib.SMTPAuthenticationError(535, b"bad"), False, "SMTPAuthenticationError 535"),
        (smtplib.SMTPRecipientsRefused({"a@x": (450, b"busy")}), True, "SMTPRecipientsRefused 450"),
        (smtplib.SMTPRecipientsRefused({"a@x": (550, b"no")}), False, "SMTPRecipientsRefused 550"),
        (smtplib.SMTPNotSupportedError("no STARTTLS"), False, "SMTPNotSupportedError"),
        (KeyError("application"), False, "KeyError"),
    ],
)
def test_temporary_and_permanent_failures(error, temporary, described):
    assert (is_temporary(error), describe(error)) == (temporary, described)


def test_an_email_is_recorded_and_queued_with_the_transaction_that_made_it():
    application = make_application(email="ada@example.com")
    email = emails.declined_many([application])[0]

    assert (email.kind, email.to, email.state, email.attempts) == (
        "declined",
        "ada@example.com",
        "queued",
        0,
    )
    assert email.subject == "Your application to The Ledger"
    assert email.application == application
    (task,) = DBTaskResult.objects.all()
    assert (task.task_path, task.args_kwargs) == (
        "outbox.tasks.deliver",
        {"args": [[email.pk]], "kwargs": {}},
    )


def test_an_email_for_a_decision_that_rolls_back_never_exists():
    application = make_application()
    with pytest.raises(RuntimeError), transaction.atomic():
        emails.declined_many([application])[0]
        raise RuntimeError("the decision failed")
    assert not Email.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_a_sent_email_carries_its_records_message_id_and_reply_to(run_tasks):
    email = member_note("ada@example.com")
    run_tasks()
    (message,) = mail.outbox
    assert message.extra_headers["Message-ID"] == f"<{email.message_id}@news.example.com>"
    email.refresh_from_db()
    assert (email.state, email.attempts, email.sent_at is not None) == ("sent", 1, True)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://news.example.com"


def test_of_two_workers_that_read_the_same_email_only_one_sends_it():
    email = member_note("ada@example.com")
    first, second = claim([email.pk]), claim([email.pk])
    assert [claimed.attempts for claimed in first] == [1]
    assert second == []


def test_an_email_whose_worker_died_is_claimed_again_after_the_lease(settings):
    settings.TASK_LEASE = 120
    email = member_note("ada@example.com")
    assert len(claim([email.pk])) == 1
    DBTaskResult.objects.all().delete()

    assert claim([email.pk]) == []  # still within its lease: perhaps just slow
    (look_again,) = DBTaskResult.objects.all()
    email.refresh_from_db()
    assert look_again.run_after == email.attempted_at + timedelta(seconds=120)

    Email.objects.filter(pk=email.pk).update(attempted_at=timezone.now() - timedelta(seconds=121))
    (again,) = claim([email.pk])
    assert again.attempts == 2


def test_a_worker_that_died_on_the_last_attempt_leaves_the_email_failed(settings):
    email = member_note("ada@example.com")
    Email.objects.filter(pk=email.pk).update(
        state="sending", attempts=6, attempted_at=timezone.now() - timedelta(hours=1)
    )
    assert claim([email.pk]) == []
    email.refresh_from_db()
    assert (email.state, email.last_error) == ("failed", "The worker sending it stopped")


def test_temporary_failures_are_retried_after_each_delay_then_fail(settings):
    settings.EMAIL_RETRY_DELAYS = [60, 300]
    email = member_note("ada@example.com")
    DBTaskResult.objects.all().delete()

    for attempt, delay in [(1, 60), (2, 300)]:
        Email.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
        (claimed,) = claim([email.pk])
        assert claimed.attempts == attempt
        before = timezone.now()
        assert record_failure(claimed, TimeoutError("timed out")) == "retrying"
        email.refresh_from_db()
        assert (email.state, email.last_error) == ("queued", "TimeoutError")
        assert before + timedelta(seconds=delay) <= email.next_attempt_at
        assert email.next_attempt_at <= timezone.now() + timedelta(seconds=delay)
        retry = DBTaskResult.objects.get()
        assert retry.run_after == email.next_attempt_at
        retry.delete()

    assert claim([email.pk]) == []  # not due yet
    Email.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    (last,) = claim([email.pk])
    assert record_failure(last, TimeoutError("timed out")) == "failed"
    email.refresh_from_db()
    assert (email.state, email.attempts) == ("failed", 3)
    assert not DBTaskResult.objects.exists()


def test_a_permanent_failure_is_not_retried():
    email = member_note("ada@example.com")
    DBTaskResult.objects.all().delete()
    refused = smtplib.SMTPRecipientsRefused({"ada@example.com": (550, b"No such mailbox")})
    assert record_failure(claim([email.pk])[0], refused) == "failed"
    email.refresh_from_db()
    assert (email.state, email.attempts, email.last_error) == (
        "failed",
        1,
        "SMTPRecipientsRefused 550",
    )
    assert not DBTaskResult.objects.exists()


def test_an_email_that_cannot_be_made_fails_and_is_logged(run_tasks, caplog):
    application = make_application()
    email = emails.declined_many([application])[0]
    application.delete()  # the email's application is gone: nothing to render from
    run_tasks()
    email.refresh_from_db()
    assert (email.state, email.last_error) == ("failed", "DoesNotExist")
    assert f"Email {email.pk} (declined) could not be made" in caplog.text


def stored(email: Email) -> str:
    return f"{email.subject} {email.context}"


def test_no_record_holds_a_way_into_an_account(run_tasks, staff_user):
    """Invitation, password reset, login code, email confirmation, a member's login link,
    an application's confirmation link and its own page's link (in the invitation): each
    secret appears in no email record."""
    member = make_member(email="ada@example.com", tier=make_tier())
    Client().post("/membership/apply/", application_answers(member.membership.tier))
    apply(Client(), application_answers(member.membership.tier, email="bob@example.com"))
    Client().post("/accounts/password/reset/", {"email": "ada@example.com"})
    Client().post("/accounts/login/code/", {"email": "ada@example.com"})
    logged_in = Client()
    logged_in.force_login(member)
    logged_in.post("/accounts/email/", {"action_add": "", "email": "new@example.com"})
    approve_application(make_application(email="grace@example.com"), approved_by=staff_user)
    run_tasks()

    secrets = []
    for message in mail.outbox:
        secrets += re.findall(r"/key/[0-9a-z]+-(\S+?)/", message.body)
        secrets += re.findall(r"/confirm-email/(\S+?)/", message.body)
        secrets += re.findall(r"/welcome/\S+?/(\S+?)/", message.body)
        secrets += re.findall(r"/membership/login/\S+?/(\S+?)/", message.body)
        secrets += re.findall(r"/membership/confirm/(\S+?)/", message.body)
        secrets += re.findall(r"/membership/application/(\S+?)/", message.body)
        secrets += re.findall(r"^([A-Z]{4}-[A-Z]{4})$", message.body, re.M)
    assert len(secrets) == 7, secrets
    records = " ".join(stored(email) for email in Email.objects.all())
    for secret in secrets:
        assert secret not in records


def test_the_login_code_a_member_gets_is_the_one_the_site_accepts(client, run_tasks):
    make_member(email="ada@example.com")
    asked = client.post("/accounts/login/code/", {"email": "ada@example.com"})
    run_tasks()
    code = re.search(r"^([A-Z]{4}-[A-Z]{4})$", mail.outbox[-1].body, re.M).group(1)
    assert client.post(asked["Location"], {"code": code}).status_code == 302
    assert client.get("/account/").status_code == 200


CHANGELIST = "/admin/outbox/email/"


def test_staff_see_emails_by_state_and_kind_and_the_late_ones(staff_client):
    sent = member_note("sent@example.com")
    failed = member_note("failed@example.com")
    late = member_note("late@example.com")
    Email.objects.filter(pk=sent.pk).update(state="sent")
    Email.objects.filter(pk=failed.pk).update(state="failed", last_error="SMTPDataError 554")
    Email.objects.filter(pk=late.pk).update(created_at=timezone.now() - timedelta(minutes=16))

    def listed(query: str) -> list[str]:
        page = staff_client.get(CHANGELIST + query).content.decode()
        return sorted(re.findall(r'<td class="field-to">([^<]+)</td>', page))

    assert listed("?state__exact=failed") == ["failed@example.com"]
    assert listed("?late=yes") == ["late@example.com"]
    assert listed("?kind=already_member") == [
        "failed@example.com",
        "late@example.com",
        "sent@example.com",
    ]
    index = staff_client.get("/admin/").content.decode()
    assert "1 email failed</a>: each can be sent again." in index
    assert "1 email waiting longer than 15 minutes</a>: is the worker running?" in index
    assert staff_client.get(f"{CHANGELIST}{failed.pk}/change/").status_code == 200


def test_send_again_retries_a_failed_email_resends_a_sent_one_and_leaves_the_rest(
    staff_client, run_tasks
):
    failed = member_note("failed@example.com")
    sent = member_note("sent@example.com")
    waiting = member_note("waiting@example.com")
    Email.objects.filter(pk=failed.pk).update(state="failed", attempts=1, last_error="X")
    Email.objects.filter(pk=sent.pk).update(state="sent", attempts=1)
    DBTaskResult.objects.all().delete()

    response = staff_client.post(
        CHANGELIST,
        {"action": "send_again", "_selected_action": [failed.pk, sent.pk, waiting.pk]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Queued to send again: 2.",
        "Still on their way, left as they are: 1.",
    ]
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == ["failed@example.com", "sent@example.com"]
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == ("sent", 1)
    again = Email.objects.exclude(pk=sent.pk).get(to="sent@example.com")
    assert again.message_id != sent.message_id and again.state == "sent"


def test_readers_cannot_see_the_emails(reader_client):
    member_note("ada@example.com")
    assert reader_client.get(CHANGELIST).status_code == 302
