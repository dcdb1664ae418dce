"""The benchmark's archive: made as asked, the same for the same seed, searchable."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Q

from articles.models import Article, PullQuote
from members.models import Application, Membership

# On PostgreSQL the posts and the people are written by threads with connections of their
# own, which see only what is committed.
pytestmark = pytest.mark.django_db(transaction=True)

SMALL = {"posts": 31, "contributors": 4, "applications": 40, "members": 6}


def generate() -> str:
    out = StringIO()
    call_command("generate_bench_data", **SMALL, stdout=out)
    return out.getvalue()


def archive() -> list[tuple]:
    return [
        (post.slug, post.title, post.visibility, post.publish_at, bylines, topics)
        for post in Article.objects.order_by("slug").prefetch_related("bylines", "topics")
        for bylines in [[line.contributor.slug for line in post.bylines.all()]]
        for topics in [sorted(topic.slug for topic in post.topics.all())]
    ]


def test_it_makes_what_was_asked_and_the_same_again_for_the_same_seed():
    assert generate() == (
        "Generated 31 posts, 4 contributors, 155 pull quotes, 40 applications, 6 members.\n"
    )
    first = archive()
    assert len(first) == 31
    assert PullQuote.objects.count() == 31 * 5
    assert Application.objects.count() == 40
    assert Membership.objects.count() == 6
    assert all(bylines and topics for *_, bylines, topics in first)

    generate()  # replaces the first
    again = archive()
    # The post times follow the clock; everything else is the seed's.
    assert [row[:3] + row[4:] for row in again] == [row[:3] + row[4:] for row in first]
    assert Application.objects.count() == 40


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the vectors are PostgreSQL's")
def test_every_post_it_makes_is_found_by_search():
    generate()
    assert not Article.objects.filter(full_text_vector=None).exists()
    assert not Article.objects.filter(heading_vector=None).exists()
    assert Article.objects.published().search("quorum0", readable=Q()).count() == 1
