"""The login backends load a reader with their membership, tier and contributor profile."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user
from django.test import RequestFactory
from django.utils import timezone

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


def fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


@pytest.mark.parametrize("who", ["member and contributor", "lapsed member", "reader"])
def test_the_reader_loaded_is_what_the_orm_loads_field_by_field(
    who, django_user_model, django_assert_num_queries
):
    if who == "reader":
        user = django_user_model.objects.create_user("reader@example.com", "a-long-pw")
    else:
        ended = timezone.now() - timedelta(days=3) if who == "lapsed member" else None
        user = make_member(make_tier(name="Insider"), ends_at=ended)
    if who == "member and contributor":
        make_contributor(user=user, portrait_renditions=[{"name": "p.webp", "width": 320}])
    expected = django_user_model.objects.readers().get(pk=user.pk)
    with django_assert_num_queries(1):
        loaded = ModelBackend().get_user(user.pk)
        assert fields(loaded) == fields(expected)
        for relation in ["membership", "contributor"]:
            assert hasattr(loaded, relation) == hasattr(expected, relation)
            if hasattr(expected, relation):
                related = getattr(loaded, relation)
                assert fields(related) == fields(getattr(expected, relation))
                assert related.user is loaded
        if hasattr(expected, "membership"):
            assert fields(loaded.membership.tier) == fields(expected.membership.tier)
            assert loaded.membership.has_ended == (who == "lapsed member")
    assert ModelBackend().get_user(user.pk + 1000) is None


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
