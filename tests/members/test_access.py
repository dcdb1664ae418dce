"""The access policy: `decide` for one post, `readable` for many, always in agreement."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import timezone

from articles.models import Article
from members.access import VISITOR, Reason, decide, readable, reader_for
from members.models import Membership
from tests.factories import make_article, make_contributor, make_member, make_tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(django_user_model):
    reader_tier, insider, patron = make_tier(rank=1), make_tier(rank=2), make_tier(rank=3)
    writer_user = django_user_model.objects.create_user("writer@example.com")
    writer = make_contributor(user=writer_user)
    posts = {
        "public": make_article(),
        "members": make_article(visibility=Article.Visibility.MEMBERS),
        "insider": make_article(visibility=Article.Visibility.TIER, minimum_tier=insider),
        "patron": make_article(visibility=Article.Visibility.TIER, minimum_tier=patron),
        "own": make_article(
            visibility=Article.Visibility.TIER, minimum_tier=patron, contributors=[writer]
        ),
    }
    past = timezone.now() - timedelta(days=1)
    people = {
        "visitor": None,
        "no membership": django_user_model.objects.create_user("plain@example.com"),
        "reader": make_member(reader_tier),
        "insider": make_member(insider),
        "lapsed patron": make_member(patron, status=Membership.Status.ENDED),
        "expired patron": make_member(patron, ends_at=past),
        "staff": django_user_model.objects.create_user("staff@example.com", is_staff=True),
        "writer": writer_user,
    }
    return posts, people


# Who may read which post: the rule, as a table.
ALLOWED = {
    "visitor": {"public"},
    "no membership": {"public"},
    "reader": {"public", "members"},
    "insider": {"public", "members", "insider"},
    "lapsed patron": {"public"},
    "expired patron": {"public"},
    "staff": {"public", "members", "insider", "patron", "own"},
    "writer": {"public", "own"},
}


def reader_of(user):
    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    return reader_for(request)


@pytest.mark.parametrize("person", list(ALLOWED))
def test_decide_follows_the_rule(world, person):
    posts, people = world
    reader = reader_of(people[person])
    allowed = {name for name, post in posts.items() if decide(reader, post).allowed}
    assert allowed == ALLOWED[person]


@pytest.mark.parametrize("person", list(ALLOWED))
def test_readable_agrees_with_decide(world, person):
    posts, people = world
    reader = reader_of(people[person])
    from_query = set(Article.objects.filter(readable(reader)).distinct())
    from_decide = {post for post in posts.values() if decide(reader, post).allowed}
    assert from_query == from_decide


@pytest.mark.parametrize(
    ("person", "post", "reason"),
    [
        ("visitor", "members", Reason.VISITOR),
        ("no membership", "members", Reason.NO_MEMBERSHIP),
        ("reader", "insider", Reason.TIER_TOO_LOW),
        ("lapsed patron", "members", Reason.LAPSED),
        ("expired patron", "patron", Reason.LAPSED),
        ("insider", "insider", Reason.MEMBER),
        ("writer", "own", Reason.CONTRIBUTOR),
        ("staff", "patron", Reason.STAFF),
    ],
)
def test_decide_says_why(world, person, post, reason):
    posts, people = world
    assert decide(reader_of(people[person]), posts[post]).reason is reason


def test_a_too_low_tier_is_told_which_tier_includes_the_post(world):
    posts, people = world
    decision = decide(reader_of(people["reader"]), posts["insider"])
    assert decision.required_tier == posts["insider"].minimum_tier
    assert decision.current_tier == people["reader"].membership.tier


def test_a_membership_that_has_not_started_gives_nothing_yet(world):
    posts, _ = world
    future = make_member(started_at=timezone.now() + timedelta(days=1))
    assert decide(reader_of(future), posts["members"]).reason is Reason.NO_MEMBERSHIP


def test_the_reader_is_looked_up_once_per_request(world, django_assert_num_queries):
    _, people = world
    request = RequestFactory().get("/")
    request.user = people["insider"]
    with django_assert_num_queries(1):
        assert reader_for(request) is reader_for(request)


def test_visitors_cost_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert reader_of(None) is VISITOR
