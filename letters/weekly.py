"""The weekly letter: every week at LETTER_WEEKDAY and LETTER_TIME (the site's time zone),
the posts published since the last issue, as cards, to every member who receives the
letter, and to the free list when staff choose. An issue with no new post is not sent.

Each issue's task queues the next when it runs, and every worker makes sure, when it
starts, that the next issue and its task exist: nothing depends on a cron job.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from outbox.tasks import task
from publication.permissions import require

from .models import Send, WeeklyLetter
from .sending import SEND, prepare

SUBJECT = "This week in {publication_name}"


def next_slot(after: datetime) -> datetime:
    """The first LETTER_WEEKDAY at LETTER_TIME after `after`, in the site's time zone."""
    local = timezone.localtime(after)
    hour, minute = settings.LETTER_TIME
    days = (settings.LETTER_WEEKDAY - local.weekday()) % 7
    slot = timezone.make_aware(
        datetime.combine(local.date() + timedelta(days=days), time(hour, minute))
    )
    return slot if slot > after else slot + timedelta(days=7)


def schedule_next(**_signal) -> WeeklyLetter:
    """The coming issue, made and queued once however many workers start."""
    with transaction.atomic():
        coming = WeeklyLetter.objects.filter(scheduled_for__gt=timezone.now(), send=None)
        letter = coming.order_by("scheduled_for").first()
        if letter is None:
            last = WeeklyLetter.objects.order_by("-scheduled_for").first()
            letter, created = WeeklyLetter.objects.get_or_create(
                scheduled_for=next_slot(timezone.now()),
                defaults={"to_subscribers": last is not None and last.to_subscribers},
            )
            if created:
                send_issue.using(run_after=letter.scheduled_for).enqueue(letter.pk)
    return letter


def posts_for(letter: WeeklyLetter) -> list[Article]:
    """Posts that went public since the issue before (or in the week before the first)."""
    earlier = WeeklyLetter.objects.filter(
        scheduled_for__lt=letter.scheduled_for, send__isnull=False
    )
    since = earlier.order_by("-scheduled_for").values_list("scheduled_for", flat=True).first()
    until = min(letter.scheduled_for, timezone.now())
    return list(
        Article.objects.published()
        .filter(publish_at__gt=since or letter.scheduled_for - timedelta(days=7))
        .filter(publish_at__lte=until)
        .for_cards()
        .order_by("publish_at")
    )


def send_now(letter: WeeklyLetter, sent_by=None) -> Send | None:
    """Send an issue (early, when staff ask); None if it has gone already or has no posts."""
    require(sent_by, SEND)
    with transaction.atomic():
        letter = WeeklyLetter.objects.select_for_update().get(pk=letter.pk)
        if Send.objects.filter(weekly=letter).exists() or not posts_for(letter):
            return None
        send = Send.objects.create(
            weekly=letter,
            audience=Send.Audience.FREE if letter.to_subscribers else Send.Audience.ALL,
            subject=SUBJECT.format(publication_name=settings.PUBLICATION_NAME),
            sent_by=sent_by,
        )
        prepare.enqueue(send.pk)
    return send


@task()
def send_issue(letter_id: int) -> dict:
    """An issue's time has come: send it unless held, sent early or empty; queue the next."""
    letter = WeeklyLetter.objects.filter(pk=letter_id).first()
    sent = None
    if letter is not None and not letter.held and letter.scheduled_for <= timezone.now():
        sent = send_now(letter)
    schedule_next()
    return {"sent": sent is not None}
