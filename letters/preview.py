"""The letter as staff check it before sending: exactly as one kind of recipient gets it,
decided by the gate's own rule for a reader of that kind."""

from articles.models import Article
from members.access import Access, Reader, decide
from members.models import Tier
from outbox.models import Email
from outbox.tasks import Rendered, kind, queue

from . import rendering
from .delivery import list_headers
from .links import unsubscribe_url

INCLUDED, NOT_INCLUDED, SUBSCRIBER = "included", "not included", "subscriber"
KINDS_OF_READER = [
    (INCLUDED, "A member whose package includes the post"),
    (NOT_INCLUDED, "A member whose package does not include it"),
    (SUBSCRIBER, "A free subscriber"),
]


def sample_access(article: Article, kind_of_reader: str) -> Access:
    required = article.minimum_tier if article.visibility == Article.Visibility.TIER else None
    tiers = Tier.objects.order_by("rank")
    if kind_of_reader == INCLUDED:
        reader = Reader(user_id=0, tier=required or tiers.last())
    elif kind_of_reader == SUBSCRIBER:
        reader = Reader(user_id=0)  # an account without a package, as members.access sees one
    elif required and (below := tiers.filter(rank__lt=required.rank).last()):
        reader = Reader(user_id=0, tier=below)
    else:
        reader = Reader(user_id=0)  # every package includes it: as one without a package
    return decide(reader, article)


def preview(article: Article, kind_of_reader: str) -> rendering.Letter:
    return rendering.letter_of(
        article.with_byline_and_topics(), sample_access(article, kind_of_reader)
    )


def send_test(article: Article, kind_of_reader: str, to) -> Email:
    return queue(
        "letter_test",
        to.email,
        f"[Test] {article.title}",
        user=to,
        context={"article": article.pk, "as": kind_of_reader},
    )


@kind("letter_test", related=("user",))
def render_test(email: Email) -> Rendered:
    letter = preview(Article.objects.get(pk=email.context["article"]), email.context["as"])
    url = unsubscribe_url(email.user)
    html, text = letter.to(url)
    return Rendered(text=text, html=html, headers=list_headers(url))
