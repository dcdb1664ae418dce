"""A list page's posts from its statement written once (articles/listing.py): the same
posts, in the same order, with the same revisions, as the ORM's published() finds."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.listing import Listing
from articles.models import Article, Byline
from tests.factories import make_article, make_contributor, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    """Posts published at the same time and apart, drafts, a post not yet due, and three
    featured posts (the newest of them leads), on two topics and by two writers."""
    writers, topics = [make_contributor(), make_contributor()], [make_topic(), make_topic()]
    now = timezone.now()
    same_time = now - timedelta(days=3)
    for n in range(14):
        make_article(
            contributors=writers[: 1 + n % 2],
            topics=topics[n % 2 :],
            publish_at=same_time if n % 4 == 0 else now - timedelta(hours=n),
            featured=n in (2, 5, 9),
            status="draft" if n == 7 else "published",
        )
    make_article(status="scheduled", publish_at=now + timedelta(hours=1), topics=topics)
    make_article(status="scheduled", publish_at=now - timedelta(hours=1), featured=True)
    return writers, topics


def revisions(posts) -> list[tuple[int, object]]:
    return [(post.pk, post.updated_at) for post in posts]


def pages(listing: Listing, per_page: int = 4) -> list[list[Article]]:
    return [listing[start : start + per_page] for start in range(0, 20, per_page)]


def test_the_front_page_leads_with_the_newest_featured_post_and_lists_it_nowhere(archive):
    published = Article.objects.published()
    lead = published.filter(featured=True).first()
    rest = list(published.exclude(pk=lead.pk))
    assert lead.status == "scheduled"  # a scheduled post whose time has come leads too
    listing = Listing(lead=True)
    for start, page in zip(range(0, 20, 4), pages(listing), strict=True):
        assert revisions(page) == revisions(rest[start : start + 4])
        assert revisions([listing.lead]) == revisions([lead])
    assert len(rest) == 13  # 13 published and the scheduled one now due, less the lead


def test_without_a_featured_post_nothing_leads():
    make_article(featured=False)
    listing = Listing(lead=True)
    assert revisions(listing[0:10]) == revisions(Article.objects.published())
    assert listing.lead is None


@pytest.mark.parametrize("by", ["topic", "contributor"])
def test_a_topic_or_a_writer_lists_what_the_orm_finds_for_it(archive, by):
    writers, topics = archive
    for linked in writers if by == "contributor" else topics:
        if by == "contributor":
            listing = Listing(linked_by=(Byline, "contributor", linked.pk))
            expected = Article.objects.published().filter(bylines__contributor=linked)
        else:
            listing = Listing(linked_by=(Article.topics.through, "topic", linked.pk))
            expected = Article.objects.published().filter(topics=linked)
        found = [post for page in pages(listing) for post in page]
        assert revisions(found) == revisions(expected) and found
        assert listing.lead is None


def test_each_post_comes_only_with_its_id_and_revision(archive):
    post = Listing()[0:1][0]
    assert post._fields == ("pk", "updated_at")
    assert post.updated_at == Article.objects.get(pk=post.pk).updated_at
    assert timezone.is_aware(post.updated_at)
