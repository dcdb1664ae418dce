"""Sending a letter: staff's click records the send and returns; a task in the worker
makes one delivery and one queued email per recipient, in chunks, and the workers send
them in batches. A task run again (its worker died) carries on where it stopped: those
who have a delivery are never given a second."""

from django.db import transaction
from django.utils import timezone

from articles.models import Article
from members.models import Tier, User
from outbox.models import Email
from outbox.tasks import queue_many, task
from publication.permissions import require

from .audience import recipients
from .models import Delivery, Send

CHUNK = 500
# Every letter staff send, of a post or the weekly one, in the admin and here.
SEND = "letters.add_send"


def send_post(article: Article, *, audience: str, tier: Tier | None, sent_by: User | None) -> Send:
    require(sent_by, SEND)
    with transaction.atomic():
        send = Send.objects.create(
            article=article, audience=audience, tier=tier, subject=article.title, sent_by=sent_by
        )
        prepare.enqueue(send.pk)
    return send


@task()
def prepare(send_id: int) -> dict:
    """Make the deliveries of a send, CHUNK members at a time, each in its transaction:
    none once the send is gone (its post deleted meanwhile)."""
    sends = Send.objects.select_related("article__minimum_tier", "tier", "weekly")
    if (send := sends.filter(pk=send_id).first()) is None:
        return {"deliveries": 0}
    made = 0
    while chunk := list(recipients(send).order_by("pk").only("pk", "email")[:CHUNK]):
        with transaction.atomic():
            made += len(deliveries_for(send, chunk))
    Send.objects.filter(pk=send.pk, prepared_at=None).update(prepared_at=timezone.now())
    return {"deliveries": made}


def deliveries_for(send: Send, members: list[User]) -> list[Delivery]:
    context = {"send": send.pk, **({"weekly": True} if send.weekly_id else {})}
    emails = queue_many(
        [
            Email(
                kind="letter", to=member.email, subject=send.subject, user=member, context=context
            )
            for member in members
        ]
    )
    return Delivery.objects.bulk_create(
        Delivery(send=send, user=m, email=e) for m, e in zip(members, emails, strict=True)
    )


def email_when_published(sender, instance: Article, **kwargs) -> None:
    """A post set to go by email is looked at again when its publish time comes."""
    if instance.email_when_published and instance.publish_at and instance.status != "draft":
        send_when_published.using(run_after=instance.publish_at).enqueue(instance.pk)


@task()
def send_when_published(article_id: int) -> dict:
    """Send it now if it is public, still wanted by email, and not sent yet. A save that
    moved its time queued another look, so this one may find nothing to do."""
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=article_id).first()
        due = article is not None and article.email_when_published and article.is_public_now
        if not due or article.sends.exists():
            return {"sent": False}
        send_post(article, audience=Send.Audience.INCLUDED, tier=None, sent_by=None)
    return {"sent": True}
