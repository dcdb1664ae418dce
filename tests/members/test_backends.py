"""The login backends load a reader with their membership, tier and contributor profile."""

import pytest
from django.contrib.auth import get_user
from django.test import RequestFactory

from members.backends import ModelBackend
from tests.factories import make_contributor, make_member, make_tier

pytestmark = pytest.mark.django_db


def test_a_readers_membership_comes_with_them(django_assert_num_queries):
    member = make_member(make_tier(name="Insider"))
    make_contributor(user=member)
    with django_assert_num_queries(1):
        user = ModelBackend().get_user(member.pk)
        assert (user.membership.tier.name, user.contributor.user_id) == ("Insider", member.pk)


def test_a_reader_without_membership_or_profile_costs_no_more(
    django_user_model, django_assert_num_queries
):
    reader = django_user_model.objects.create_user("reader@example.com", "a-long-pw")
    with django_assert_num_queries(1):
        user = ModelBackend().get_user(reader.pk)
        assert not hasattr(user, "membership") and not hasattr(user, "contributor")


def test_deleted_and_deactivated_readers_are_logged_out(client, django_user_model):
    member = make_member()
    client.force_login(member)
    request = RequestFactory().get("/")
    request.session = client.session
    assert get_user(request) == member
    member.is_active = False
    member.save()
    assert get_user(request).is_anonymous
    member.delete()
    assert get_user(request).is_anonymous
