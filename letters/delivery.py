"""The letter's email kind: how the worker makes each recipient's email, and what its
sending, failure or cancellation means for the delivery."""

from urllib.parse import urlsplit

from django.conf import settings

from members.access import decide, reader_of
from members.models import User
from outbox.models import Email
from outbox.tasks import REPLIES, Cancelled, Rendered, is_temporary, kind

from . import rendering
from .links import unsubscribe_url
from .models import Delivery


def mark_sent(emails: list[Email]) -> None:
    Delivery.objects.filter(email__in=emails).update(state=Delivery.State.SENT)


def mark_failed(email: Email, error: Exception) -> None:
    """A reader who left is not sent it; a mail server's permanent refusal is a bounce,
    and the letter stops for that member."""
    if isinstance(error, Cancelled):
        state = Delivery.State.UNSUBSCRIBED
    elif isinstance(error, REPLIES) and not is_temporary(error):
        state = Delivery.State.BOUNCED
        User.objects.filter(pk=email.user_id).update(receives_letter=False)
    else:
        state = Delivery.State.FAILED
    Delivery.objects.filter(email=email).update(state=state)


@kind(
    "letter",
    # The reader as members.access asks, and the send with its post: all read with the
    # email when the worker claims its batch, so each email's decision and text come
    # from the one reading of the post.
    related=(
        "user__membership__tier",
        "user__contributor",
        "delivery__send__article__minimum_tier",
        "delivery__send__weekly",
    ),
    on_sent=mark_sent,
    on_failed=mark_failed,
)
def render_letter(email: Email) -> Rendered:
    """Each reader gets what the gate gives them: the whole post, or its preview."""
    member = email.user
    if member is None or not member.receives_letter:
        raise Cancelled("The member no longer receives the letter")
    delivery = getattr(email, "delivery", None)  # gone with its send, or the send's post
    if delivery is None:
        raise Cancelled("The letter's post was deleted")
    send = delivery.send
    if send.weekly:
        letter = rendering.weekly_letter(send.weekly)
    elif not send.article.is_public_now:
        raise Cancelled("The letter's post is no longer published")
    else:
        letter = rendering.post_letter(send.article, decide(reader_of(member), send.article))
    url = unsubscribe_url(member)
    html, text = letter.to(url)
    return Rendered(text=text, html=html, headers=list_headers(url))


def list_headers(unsubscribe: str) -> dict[str, str]:
    """What mailbox providers ask of a list: who it is, and a one-click way out (RFC 8058)."""
    host = urlsplit(settings.SITE_URL).hostname
    return {
        "List-Id": f"{settings.PUBLICATION_NAME} <letter.{host}>",
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
