"""A worker's copies of readers (members/readers.py), on a real Redis: a copy is used only
while the readers' generation read with the session stands, and every way of writing
what a reader is made of moves that generation on, so the gate follows it at once."""

import pytest
from django.db import connection
from django.test import Client

from articles.models import Article, Contributor
from members import readers
from members.backends import ModelBackend
from members.models import Membership, Tier, User
from tests.factories import make_article, make_contributor, make_member, make_tier

pytestmark = pytest.mark.django_db

BODY = "Free opening paragraph.\n\n<!--members-only-->\n\nPaid paragraph."


@pytest.fixture(autouse=True)
def sessions_in_redis(settings, redis_cache):
    settings.SESSION_ENGINE = "publication.sessions"


@pytest.fixture
def insider():
    return make_tier(name="Insider", slug="insider", rank=2)


@pytest.fixture
def post(insider):
    return make_article(
        slug="post", body=BODY, visibility=Article.Visibility.TIER, minimum_tier=insider
    )


def reads_in_full(client: Client, post: Article) -> bool:
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Free opening paragraph." in html
    return "Paid paragraph." in html


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_members_next_page_makes_its_reader_from_the_copy(
    post, insider, django_assert_num_queries
):
    member = logged_in(make_member(insider))
    assert reads_in_full(member, post)
    with django_assert_num_queries(2) as queries:  # the post and its tier; no session, no reader
        assert reads_in_full(member, post)
    assert not any("members_user" in query["sql"] for query in queries.captured_queries)


def test_each_request_gets_a_user_of_its_own(insider):
    member = make_member(insider)
    with readers.in_generation("one"):
        first = ModelBackend().get_user(member.pk)
        first.membership.tier = make_tier(name="Changed in a request")
        second = ModelBackend().get_user(member.pk)
    assert first is not second
    assert second.membership.tier == insider


def end_by_save(member: User) -> None:
    member.membership.status = Membership.Status.ENDED
    member.membership.save()


def end_by_update(member: User) -> None:
    Membership.objects.filter(user=member).update(status=Membership.Status.ENDED)


def end_by_bulk_update(member: User) -> None:
    membership = Membership.objects.get(user=member)
    membership.status = Membership.Status.ENDED
    Membership.objects.bulk_update([membership], ["status"])


def end_by_delete(member: User) -> None:
    member.membership.delete()


def end_by_queryset_delete(member: User) -> None:
    Membership.objects.filter(user=member).delete()


def lower_the_tier(member: User) -> None:
    Tier.objects.filter(pk=member.membership.tier_id).update(rank=1)


def deactivate_the_account(member: User) -> None:
    User.objects.filter(pk=member.pk).update(is_active=False)


def change_the_password(member: User) -> None:
    member.set_password("another-long-pw")
    member.save()


@pytest.mark.parametrize(
    "write",
    [
        end_by_save,
        end_by_update,
        end_by_bulk_update,
        end_by_delete,
        end_by_queryset_delete,
        lower_the_tier,
        deactivate_the_account,
        change_the_password,
    ],
)
def test_the_gate_follows_every_way_of_ending_a_members_access(post, write):
    member = make_member(make_tier(name="Patron", slug="patron", rank=3))
    client = logged_in(member)
    assert reads_in_full(client, post)
    write(User.objects.get(pk=member.pk))
    assert not reads_in_full(client, post)


def test_a_membership_made_in_bulk_opens_the_post_at_once(post, insider):
    reader = User.objects.create_user("reader@example.com", "a-long-pw")
    client = logged_in(reader)
    assert not reads_in_full(client, post)
    Membership.objects.bulk_create([Membership(user=reader, tier=insider)])
    assert reads_in_full(client, post)


@pytest.mark.parametrize("write", ["update", "save", "bulk_create elsewhere"])
def test_the_gate_follows_a_contributor_profile(post, write):
    writer = User.objects.create_user("writer@example.com", "a-long-pw")
    profile = make_contributor(user=writer)
    post.bylines.create(contributor=profile)
    client = logged_in(writer)
    assert reads_in_full(client, post)
    if write == "update":
        Contributor.objects.filter(pk=profile.pk).update(user=None)
    elif write == "save":
        profile.user = None
        profile.save()
    else:  # a new profile for this reader, the old one let go without a signal
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Contributor._meta.db_table} SET user_id = NULL WHERE id = %s",  # noqa: S608
                [profile.pk],
            )
        Contributor.objects.bulk_create([Contributor(name="Again", slug="again", user=writer)])
    assert not reads_in_full(client, post)


def test_a_change_no_one_heard_of_is_seen_within_reader_seconds(post, insider, monkeypatch):
    member = make_member(insider)
    client = logged_in(member)
    assert reads_in_full(client, post)
    with connection.cursor() as cursor:  # no signal, no queryset: the generation stays
        cursor.execute(
            f"UPDATE {Membership._meta.db_table} SET status = 'ended' WHERE user_id = %s",  # noqa: S608
            [member.pk],
        )
    assert reads_in_full(client, post)  # the copy, as the generation still stands
    later = readers.time.monotonic() + readers.READER_SECONDS
    monkeypatch.setattr(readers.time, "monotonic", lambda: later)
    assert not reads_in_full(client, post)


def test_a_lost_generation_loads_every_reader_again(
    post, insider, redis_cache, django_assert_num_queries
):
    client = logged_in(make_member(insider))
    assert reads_in_full(client, post)
    redis_cache.delete(readers.GENERATION_KEY)  # as a restart or an eviction would
    with django_assert_num_queries(3) as queries:  # the post, its tier and the reader
        assert reads_in_full(client, post)
    assert any("members_user" in query["sql"] for query in queries.captured_queries)
    assert redis_cache.get(readers.GENERATION_KEY) is not None  # a new one, for next time


def test_without_a_generation_every_request_loads_its_reader(
    post, insider, django_assert_num_queries
):
    member = make_member(insider)
    backend = ModelBackend()
    with django_assert_num_queries(2):
        assert backend.get_user(member.pk) is not None
        assert backend.get_user(member.pk) is not None
