from decimal import Decimal

import pytest
from django.test import Client

from members.models import Tier
from tests.factories import make_member, make_tier

pytestmark = pytest.mark.django_db


def test_packages_page_shows_public_tiers_side_by_side_with_apply_buttons(client):
    make_tier(
        name="Reader",
        slug="reader",
        order=1,
        benefits="All members-only posts\n\nThe archive",
        monthly_price=Decimal("8.00"),
        yearly_price=Decimal("80.00"),
        currency="EUR",
    )
    make_tier(name="Patron", slug="patron", order=2)
    make_tier(name="Staff comp", slug="comp", is_public=False)

    response = client.get("/membership/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Reader") < html.index("Patron")
    assert "Staff comp" not in html
    assert "<li>All members-only posts</li><li>The archive</li>" in html
    assert "<strong>8 EUR</strong> a month" in html
    assert "<strong>80 EUR</strong> a year" in html
    assert '<a class="button" href="/membership/apply/?tier=reader"' in html
    assert "<strong>By invitation</strong>" in html  # Patron has no displayed price
    assert "It carries no tracking pixel and its links are not rewritten" in html


def test_tier_ranks_include_lower_ones():
    reader, insider = make_tier(rank=1), make_tier(rank=2)
    assert insider.includes(reader)
    assert insider.includes(insider)
    assert not reader.includes(insider)


@pytest.fixture
def list_cache(settings, redis_cache):
    settings.LIST_CACHE = True


def test_the_packages_asked_again_cost_only_their_places_taken(
    list_cache, django_assert_num_queries
):
    make_tier(name="Reader", slug="reader")
    full = make_tier(name="Insider", slug="insider", capacity=1)
    Client().get("/membership/")
    with django_assert_num_queries(1):  # the places taken, always afresh; the packages kept
        html = Client().get("/membership/").content.decode()
    assert "Waitlist only:" not in html
    make_member(full)  # no cache moves for a membership: its count is never kept
    assert "Waitlist only:" in Client().get("/membership/").content.decode()
    make_tier(name="Patron", slug="patron")
    Tier.objects.filter(slug="reader").update(name="Reader plus")
    html = Client().get("/membership/").content.decode()
    assert "Patron" in html and "Reader plus" in html
    Tier.objects.filter(slug="patron").update(is_public=False)
    assert "Patron" not in Client().get("/membership/").content.decode()


def test_the_packages_page_knows_its_reader(client, django_assert_num_queries):
    reader = make_tier(name="Reader", slug="reader", rank=1)
    make_tier(name="Insider", slug="insider", rank=2)
    member = Client()
    member.force_login(make_member(reader, email="ada@example.com"))

    visitor_html = client.get("/membership/").content.decode()
    member.get("/membership/")
    # The session, the reader with its package, the packages, and the menus.
    with django_assert_num_queries(4):
        member_html = member.get("/membership/").content.decode()

    assert "Your package." not in visitor_html
    assert 'Already a member? <a href="/accounts/login/">Log in</a>.' in visitor_html
    assert '<p class="tier__yours"><strong>Your package.</strong>' in member_html
    assert "Already a member?" not in member_html
    assert 'aria-label="Apply for' not in member_html  # a member asks to move instead
    assert (
        '<a class="button" href="/membership/move/insider/" aria-label="Ask to move to this '
        'package: Insider">Ask to move to this package</a>'
    ) in member_html
    assert "/membership/move/" not in visitor_html
