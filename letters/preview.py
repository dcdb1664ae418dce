"""The letter as staff check it before sending: exactly as one kind of recipient gets it,
decided by the gate's own rule for a reader of that kind."""

from articles.models import Article
from members.access import (
    INCLUDED,
    NOT_INCLUDED,
    SUBSCRIBER,
    Access,
    decide,
    sample_reader,
)
from outbox.models import Email
from outbox.tasks import Rendered, kind, queue

from . import rendering
from .delivery import list_headers
from .links import unsubscribe_url

KINDS_OF_READER = [
    (INCLUDED, "A member whose package includes the post"),
    (NOT_INCLUDED, "A member whose package does not include it"),
    (SUBSCRIBER, "A free subscriber"),
]


def sample_access(article: Article, kind_of_reader: str) -> Access:
    return decide(sample_reader(article, kind_of_reader), article)


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
