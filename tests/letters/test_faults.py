"""A letter sent by the real worker, in its own process, killed in the middle of it."""

import time

import pytest

from letters.models import Delivery, Send
from letters.sending import send_post
from outbox.models import Email
from tests.factories import make_article, make_member, make_tier
from tests.outbox.smtp import MailServer, wait_for
from tests.outbox.test_faults import FAST
from tests.worker import worker_process

pytestmark = pytest.mark.django_db(transaction=True)
MEMBERS = 120


def test_a_worker_killed_mid_send_leaves_every_member_one_letter(staff_user):
    server = MailServer()
    server.delay = 0.02  # slow enough to kill the worker in the middle of the send
    server.start()
    try:
        tier = make_tier()
        for n in range(MEMBERS):
            make_member(tier, email=f"member{n}@example.com")
        send_post(make_article(), audience=Send.Audience.ALL, tier=None, sent_by=staff_user)

        with worker_process(**server.settings(), **FAST) as first:
            wait_for(lambda: len(server.received) >= 20, timeout=60)
            first.kill()  # SIGKILL: no chance to tidy up
            first.wait()
        assert len(server.received) < MEMBERS

        with worker_process(**server.settings(), **FAST):
            wait_for(lambda: Email.objects.filter(state="sent").count() == MEMBERS, timeout=90)
            time.sleep(2)
    finally:
        server.stop()

    recipients = [message["To"] for message in server.received]
    assert set(recipients) == {f"member{n}@example.com" for n in range(MEMBERS)}
    # The outbox's bound: at most the one email a worker was sending when it died goes twice.
    assert len(recipients) - len(set(recipients)) <= 1
    assert Delivery.objects.filter(state="sent").count() == MEMBERS
    assert Send.objects.get().prepared_at is not None
