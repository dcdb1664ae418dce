"""The weekly letter goes out on its own, on its day and hour, with the week's posts."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from letters import weekly
from letters.models import Send, WeeklyLetter
from outbox.signals import worker_started
from tests.factories import make_article, make_member, make_tier

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
WEDNESDAY = datetime(2026, 12, 2, 15, 0, tzinfo=PARIS)
FRIDAY_8 = datetime(2026, 12, 4, 8, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def paris(settings):
    settings.TIME_ZONE = "Europe/Paris"
    settings.LETTER_WEEKDAY, settings.LETTER_TIME = 4, (8, 0)


def test_the_next_slot_is_the_coming_friday_at_eight_in_the_sites_time_zone():
    assert weekly.next_slot(WEDNESDAY) == FRIDAY_8
    assert weekly.next_slot(FRIDAY_8) == FRIDAY_8 + timedelta(days=7)
    assert weekly.next_slot(FRIDAY_8 - timedelta(minutes=1)) == FRIDAY_8


def test_the_weekly_letter_goes_out_on_its_schedule(run_tasks):
    member = make_member(make_tier(), email="ada@example.com")
    with time_machine.travel(WEDNESDAY, tick=False):
        worker_started.send(sender=None)  # a worker starts: the coming issue is queued
        worker_started.send(sender=None)  # another one: still one issue
        make_article(title="Tuesday's essay", publish_at=WEDNESDAY - timedelta(days=1))
        make_article(title="Last month's essay", publish_at=WEDNESDAY - timedelta(days=30))
        make_article(title="Friday's essay", publish_at=FRIDAY_8 + timedelta(hours=2))
        letter = WeeklyLetter.objects.get()
        letter.introduction = "A short week, and a long essay."
        letter.save()
        run_tasks()
        assert mail.outbox == []  # not before its time

    with time_machine.travel(FRIDAY_8 + timedelta(minutes=1), tick=False):
        run_tasks()

    (sent,) = mail.outbox
    assert sent.to == [member.email]
    assert sent.subject == "This week in The Ledger"
    assert "A short week, and a long essay." in sent.body
    assert "Tuesday's essay" in sent.body
    assert "Last month's essay" not in sent.body and "Friday's essay" not in sent.body
    assert Send.objects.get().weekly == letter
    coming = WeeklyLetter.objects.exclude(pk=letter.pk).get()
    assert coming.scheduled_for == FRIDAY_8 + timedelta(days=7)


def test_an_issue_held_or_without_new_posts_is_not_sent(run_tasks):
    make_member(make_tier())
    with time_machine.travel(WEDNESDAY, tick=False):
        first = weekly.schedule_next()
    with time_machine.travel(FRIDAY_8 + timedelta(minutes=1), tick=False):
        run_tasks()  # nothing was published
    assert mail.outbox == [] and not Send.objects.exists()

    second = WeeklyLetter.objects.exclude(pk=first.pk).get()
    second.held = True
    second.save()
    make_article(publish_at=FRIDAY_8 + timedelta(days=2))
    with time_machine.travel(second.scheduled_for + timedelta(minutes=1), tick=False):
        run_tasks()
    assert mail.outbox == []


def test_staff_send_an_issue_early_and_it_does_not_go_again(run_tasks, staff_user):
    make_member(make_tier(), email="ada@example.com")
    with time_machine.travel(WEDNESDAY, tick=False):
        letter = weekly.schedule_next()
        make_article(title="Tuesday's essay", publish_at=WEDNESDAY - timedelta(days=1))
        assert weekly.send_now(letter, sent_by=staff_user) is not None
        assert weekly.send_now(letter, sent_by=staff_user) is None
        run_tasks()
    with time_machine.travel(FRIDAY_8 + timedelta(minutes=1), tick=False):
        run_tasks()
    assert [m.subject for m in mail.outbox] == ["This week in The Ledger"]


def test_a_scheduled_post_goes_by_email_when_it_is_published_and_once(run_tasks):
    tier = make_tier()
    make_member(tier, email="ada@example.com")
    with time_machine.travel(WEDNESDAY, tick=False):
        post = make_article(
            title="Friday's essay",
            status="scheduled",
            publish_at=FRIDAY_8,
            email_when_published=True,
        )
        post.publish_at = FRIDAY_8 + timedelta(hours=1)  # staff move it: a second look queued
        post.save()
        run_tasks()
        assert mail.outbox == []

    with time_machine.travel(FRIDAY_8 + timedelta(minutes=30), tick=False):
        run_tasks()  # the first look: not public yet
        assert mail.outbox == []
    with time_machine.travel(FRIDAY_8 + timedelta(hours=2), tick=False):
        run_tasks()
        post.save()  # another save after it went: nothing more
        run_tasks()

    assert [(m.to, m.subject) for m in mail.outbox] == [(["ada@example.com"], "Friday's essay")]
    assert Send.objects.get().sent_by is None
