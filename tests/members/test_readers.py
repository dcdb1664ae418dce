"""The reader behind a logged-in request is read afresh on every request, sessions in
Redis as production keeps them: whatever ends or changes a member's access, however it
is written (with no signal, no cache told), takes effect on their next request."""

import pytest
from django.db import connection
from django.test import Client

from articles.models import Article, Contributor
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


def test_a_members_request_reads_the_reader_once(post, insider, django_assert_num_queries):
    member = logged_in(make_member(insider))
    assert reads_in_full(member, post)
    # The post with its tier, the reader, and the menus.
    with django_assert_num_queries(3) as queries:
        assert reads_in_full(member, post)
    assert not any("django_session" in query["sql"] for query in queries.captured_queries)


def test_each_request_gets_a_user_of_its_own(insider):
    member = make_member(insider)
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


def end_in_sql(member: User) -> None:
    """As another program, or a restore, would: no signal, no queryset, nothing told."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Membership._meta.db_table} SET status = 'ended' WHERE user_id = %s",  # noqa: S608
            [member.pk],
        )


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
        end_in_sql,
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
