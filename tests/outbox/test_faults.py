"""Email against real mail-server faults, sent by the real worker in its own process.

aiosmtpd plays the mail server on a free local port: down, refusing with 4xx or
5xx, black-holing, slow. The worker is `manage.py db_worker` on the test database,
with short timeouts and retry delays so that each fault plays out in seconds.
"""

import os
import sqlite3
import subprocess
import time

import pytest
from django.db import connection

from members import emails
from members.approvals import approve_application
from members.models import User
from outbox.models import Email
from outbox.tasks import queue_many
from tests.factories import application_answers, make_application, make_tier, member_note
from tests.outbox.smtp import BlackHole, MailServer, wait_for
from tests.worker import worker_process

pytestmark = pytest.mark.django_db(transaction=True)

# One second to time out, one second between tries, three seconds before a task is
# taken to belong to a dead worker.
FAST = {"EMAIL_TIMEOUT": "1", "EMAIL_RETRY_DELAYS": "1,1,1,1,1", "TASK_LEASE": "3"}


def emails_in(state: str) -> int:
    return Email.objects.filter(state=state).count()


@pytest.fixture
def server():
    server = MailServer()
    yield server
    server.stop()


def test_emails_queued_while_the_server_is_down_go_out_once_it_is_up(server):
    queued = [member_note(f"reader{n}@example.com") for n in range(5)]

    with worker_process(**server.settings(), **FAST):  # nothing listens on the port yet
        wait_for(
            lambda: (
                Email.objects.filter(
                    state="queued", attempts__gte=1, last_error="ConnectionRefusedError"
                ).count()
                == 5
            )
        )
        server.start()
        wait_for(lambda: emails_in("sent") == 5)
        time.sleep(2)  # time for a second copy of any of them, were there one

    assert sorted(message["To"] for message in server.received) == sorted(e.to for e in queued)
    assert sorted(server.message_ids()) == sorted(e.message_id_header for e in Email.objects.all())


def test_a_4xx_refusal_is_tried_again_and_delivered(server):
    server.refusals = ["451 4.7.1 Greylisted, try again later"]
    server.start()
    email = emails.declined_many([make_application(email="ada@example.com")])[0]

    with worker_process(**server.settings(), **FAST):
        wait_for(lambda: emails_in("sent") == 1)

    email.refresh_from_db()
    assert (email.attempts, email.last_error) == (2, "")
    assert [message["To"] for message in server.received] == ["ada@example.com"]


def test_a_5xx_refusal_fails_at_once_shows_in_the_admin_and_can_be_sent_again(
    server, staff_user, staff_client
):
    server.refuse_always = "550 5.1.1 No such mailbox"
    server.start()
    application = make_application(email="gone@example.com")
    approve_application(application, approved_by=staff_user)

    with worker_process(**server.settings(), **FAST):
        wait_for(lambda: emails_in("failed") == 1)
        time.sleep(1.5)  # no second attempt comes
        invitation = Email.objects.get(kind="invitation")
        assert (invitation.attempts, invitation.last_error) == (1, "SMTPRecipientsRefused 550")
        assert server.received == []

        index = staff_client.get("/admin/").content.decode()
        assert "1 email failed</a>: each can be sent again." in index
        failed = staff_client.get("/admin/outbox/email/?state__exact=failed").content.decode()
        assert "gone@example.com" in failed and "SMTPRecipientsRefused 550" in failed
        page = staff_client.get(f"/admin/members/application/{application.pk}/change/")
        assert "SMTPRecipientsRefused 550" in page.content.decode()

        server.refuse_always = None
        again = staff_client.post(
            "/admin/outbox/email/",
            {"action": "send_again", "_selected_action": [invitation.pk]},
            follow=True,
        )
        assert "Queued to send again: 1." in again.content.decode()
        wait_for(lambda: emails_in("sent") == 1)

    assert server.message_ids() == [invitation.message_id_header]
    application.refresh_from_db()
    assert application.invitation_sent_at is not None
    assert "1 email failed" not in staff_client.get("/admin/").content.decode()


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_a_server_that_never_answers_holds_no_page_and_the_worker_moves_on(
    client, staff_client, settings
):
    hole = BlackHole()
    # The site itself points at the black hole too, with the production timeout.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", hole.port, 10
    tier = make_tier()

    thanked, took = timed(
        lambda: client.post("/membership/apply/", application_answers(tier, email="a@x.org"))
    )
    assert thanked["Location"] == "/membership/apply/thanks/"
    assert took < 1

    others = [make_application(email=f"reader{n}@example.com") for n in range(4)]
    for action, selected, extra in [
        ("approve", others[:2], {"confirm": "yes"}),
        ("resend", others[:1], {}),
        ("decline_with_email", others[2:3], {"confirm": "yes", "notify": "on"}),
        ("decline", others[3:], {}),
    ]:
        data = {"action": action, "_selected_action": [a.pk for a in selected], **extra}
        answered, took = timed(lambda data=data: staff_client.post(CHANGELIST, data))
        assert answered.status_code == 302, action
        assert took < 1, action

    try:
        with worker_process(**{**MailServer(hole.port).settings(), **FAST, "EMAIL_TIMEOUT": "1"}):
            # Each attempt gives up after EMAIL_TIMEOUT and is tried again a second later.
            wait_for(
                lambda: Email.objects.filter(
                    attempts__gte=2, last_error="SMTPServerDisconnected"
                ).exists(),
                timeout=15,
            )
            hole.close()
            server = MailServer(hole.port).start()
            try:
                wait_for(lambda: emails_in("sent") == Email.objects.count(), timeout=60)
            finally:
                server.stop()
    finally:
        hole.close()
    # The confirmation link, two invitations, the resent one and the refusal.
    assert len(server.received) == Email.objects.count() == 5


CHANGELIST = "/admin/members/application/"


def test_a_worker_killed_mid_batch_loses_nothing(server):
    server.delay = 0.05  # slow enough to kill the worker in the middle of the batch
    server.start()
    members = [User.objects.create_user(f"reader{n}@example.com") for n in range(40)]
    queued = queue_many(  # one batch of 40 (and a second of 10 would be the same)
        [Email(kind="already_member", to=m.email, subject="S", user=m) for m in members]
    )

    with worker_process(**server.settings(), **FAST) as first:
        wait_for(lambda: len(server.received) >= 10)
        first.kill()  # SIGKILL: no chance to tidy up
        first.wait()
    killed_at = len(server.received)
    assert killed_at < 40

    with worker_process(**server.settings(), **FAST):
        wait_for(lambda: emails_in("sent") == 40, timeout=60)
        time.sleep(2)

    delivered = server.message_ids()
    assert set(delivered) == {email.message_id_header for email in queued}
    # The bound the README states: at most the one email a worker was sending when it
    # died goes twice, if the server had accepted it before the worker recorded that.
    assert len(delivered) - len(set(delivered)) <= 1


PG_STOP, PG_START = os.environ.get("PG_STOP"), os.environ.get("PG_START")


def take_the_database_away(seconds: float) -> None:
    """PostgreSQL stopped and started again; SQLite locked by another process."""
    if connection.vendor == "postgresql":
        connection.close()  # the test's own connection would die with the server
        subprocess.run(PG_STOP, shell=True, check=True, capture_output=True)  # noqa: S602
        time.sleep(seconds)
        subprocess.run(PG_START, shell=True, check=True, capture_output=True)  # noqa: S602
        return
    locker = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    time.sleep(seconds)
    locker.execute("COMMIT")
    locker.close()


@pytest.mark.skipif(
    connection.vendor == "postgresql" and not (PG_STOP and PG_START),
    reason="needs a PostgreSQL it may stop and start (PG_STOP and PG_START)",
)
def test_the_worker_waits_for_the_database_and_carries_on(server):
    server.delay = 0.1
    server.start()
    queued = [member_note(f"reader{n}@example.com") for n in range(30)]

    with worker_process(**server.settings(), **FAST) as worker:
        wait_for(lambda: len(server.received) >= 5)
        take_the_database_away(8)
        assert len(server.received) < 30  # the outage came in the middle of the batch
        wait_for(lambda: emails_in("sent") == 30, timeout=90)
        assert worker.poll() is None  # the same worker, still running

    delivered = server.message_ids()
    assert set(delivered) == {email.message_id_header for email in queued}
    assert len(delivered) - len(set(delivered)) <= 1


def test_a_batch_that_outlasts_the_lease_is_not_taken_over_by_another_worker(server):
    """20 emails at a quarter second each keep one task busy past a 2 s lease; the other
    worker finds the task "running" too long and runs it again, but the first keeps
    renewing its emails, so none goes twice."""
    server.delay = 0.25
    server.start()
    members = [User.objects.create_user(f"reader{n}@example.com") for n in range(20)]
    queued = queue_many(
        [Email(kind="already_member", to=m.email, subject="S", user=m) for m in members]
    )
    slow = {**server.settings(), **FAST, "TASK_LEASE": "2"}

    with worker_process(**slow), worker_process(**slow):
        wait_for(lambda: emails_in("sent") == 20, timeout=60)
        time.sleep(3)

    assert sorted(server.message_ids()) == sorted(email.message_id_header for email in queued)
