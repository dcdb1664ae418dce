"""What validators check on every page: heading order, HEAD answers."""

import itertools
import re

import pytest
from django.test import Client

from articles.models import Article
from tests.factories import make_article, make_contributor, make_tier, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages() -> list[str]:
    writer, topic = make_contributor(), make_topic()
    make_tier(slug="insider")
    post = make_article(title="Common essay", contributors=[writer], topics=[topic], featured=True)
    gated = make_article(
        title="Common gated essay",
        contributors=[writer],
        topics=[topic],
        visibility=Article.Visibility.MEMBERS,
    )
    return [
        "/",
        "/?page=1",
        post.get_absolute_url(),
        gated.get_absolute_url(),
        writer.get_absolute_url(),
        topic.get_absolute_url(),
        "/topics/",
        "/contributors/",
        "/search/?q=common",
        "/search/?q=nothingmatches",
        "/search/",
        "/membership/",
        "/membership/apply/",
        "/membership/apply/?tier=insider",
        "/letter/subscribe/",
        "/letter/subscribe/thanks/",
        "/accounts/login/",
        "/accounts/login/code/",
        "/accounts/password/reset/",
        "/accounts/signup/",
        "/feed/",
        "/sitemap.xml",
        "/robots.txt",
        "/healthz",
    ]


def test_every_page_that_answers_get_answers_head(pages):
    client = Client()
    for url in pages:
        get, head = client.get(url), client.head(url)
        assert (url, head.status_code) == (url, get.status_code)
        assert head.content == b""


def test_headings_never_skip_a_level(pages):
    for url in pages:
        response = Client().get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue
        levels = [int(n) for n in re.findall(r"<h([1-6])\b", response.content.decode())]
        assert levels[:1] == [1], (url, levels)
        jumps = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
        assert jumps == [], (url, levels)
