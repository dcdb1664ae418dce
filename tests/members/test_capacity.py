"""Capacity: a full package says "waitlist only", approving into it asks to confirm, and
staff admit the next in line for a package in order."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from members.models import Application, Membership, Tier, with_places_taken
from outbox.models import Email
from tests.factories import make_application, make_member, make_tier

pytestmark = pytest.mark.django_db
APPLICATIONS = "/admin/members/application/"
TIERS = "/admin/members/tier/"


def section(html: str, slug: str) -> str:
    return re.search(
        rf'<section class="tier" aria-labelledby="tier-{slug}">.*?</section>', html, re.S
    ).group(0)


def test_a_full_package_says_waitlist_only(client):
    full = make_tier(name="Insider", slug="insider", capacity=1)
    room = make_tier(name="Reader", slug="reader", capacity=2)
    make_member(full)
    make_member(room)
    make_member(room, status=Membership.Status.ENDED)  # an ended membership frees its place

    html = client.get("/membership/").content.decode()

    assert "Waitlist only:" in section(html, "insider")
    assert "Waitlist only:" not in section(html, "reader")


def test_only_packages_with_a_capacity_count_their_members(client):
    limited = make_tier(name="Insider", slug="insider", capacity=1)
    open_tier = make_tier(name="Reader", slug="reader")
    make_member(limited)
    make_member(open_tier)
    counts = {tier.slug: tier.members for tier in with_places_taken(list(Tier.objects.all()))}
    assert counts == {"insider": 1, "reader": None}
    assert counts["insider"] == Tier.objects.with_member_counts().get(slug="insider").members
    html = client.get("/membership/").content.decode()
    assert "Waitlist only:" in section(html, "insider")
    assert "Waitlist only:" not in section(html, "reader")


def test_a_package_with_room_asks_nothing_more(staff_client):
    application = make_application(tier=make_tier(capacity=2))
    page = staff_client.post(
        APPLICATIONS, {"action": "approve", "_selected_action": [application.pk]}
    )
    assert "overfill" not in page.content.decode()
    assert "Admit them even though" not in page.content.decode()


def test_approving_into_a_full_package_asks_staff_to_confirm(staff_client):
    insider = make_tier(name="Insider", capacity=1)
    make_member(insider)
    application = make_application(tier=insider)
    chosen = {"action": "approve", "_selected_action": [application.pk]}

    page = staff_client.post(APPLICATIONS, chosen).content.decode()
    assert (
        "Approving would overfill this package: Insider: 1 to admit, 0 places left (capacity 1)."
        in page
    )

    refused = staff_client.post(APPLICATIONS, {**chosen, "confirm": "yes"})
    assert refused.status_code == 200
    assert refused.context["form"].errors["beyond_capacity"] == [
        "The package is full: tick this to admit them all."
    ]
    assert Application.objects.get().status == "pending"

    staff_client.post(APPLICATIONS, {**chosen, "confirm": "yes", "beyond_capacity": "on"})
    assert Application.objects.get().status == "approved"


def test_staff_admit_the_next_in_line_for_a_package_oldest_first(staff_client):
    insider, reader = make_tier(name="Insider", capacity=5), make_tier(name="Reader")
    now = timezone.now()
    line = [make_application(full_name=f"Waiting {n}", tier=insider) for n in range(3)]
    for n, application in enumerate(line):  # the third applied first
        Application.objects.filter(pk=application.pk).update(created_at=now - timedelta(days=n))
    other = make_application(tier=reader)
    chosen = {"action": "admit_next", "_selected_action": [insider.pk]}

    page = staff_client.post(TIERS, chosen).content.decode()
    assert re.findall(r"Waiting \d", page) == ["Waiting 2", "Waiting 1", "Waiting 0"]
    assert 'name="count" value="5"' in page  # the places left

    done = staff_client.post(TIERS, {**chosen, "confirm": "yes", "count": "2"}, follow=True)

    assert [str(m) for m in done.context["messages"]] == ["Approved and invited: 2."]
    statuses = dict(Application.objects.values_list("full_name", "status"))
    assert statuses == {"Waiting 2": "approved", "Waiting 1": "approved",
                        "Waiting 0": "pending", other.full_name: "pending"}  # fmt: skip
    assert Email.objects.filter(kind="invitation").count() == 2


def test_admitting_needs_one_package(staff_client):
    tiers = [make_tier(), make_tier()]
    response = staff_client.post(
        TIERS, {"action": "admit_next", "_selected_action": [t.pk for t in tiers]}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["Choose one package to admit from."]


def test_the_packages_list_counts_members_and_the_waiting(staff_client):
    insider = make_tier(name="Insider", capacity=3)
    make_member(insider)
    make_member(insider)
    for _ in range(3):
        make_application(tier=insider)
    row = re.search(r"<tr[^>]*>.*?Insider.*?</tr>", staff_client.get(TIERS).content.decode(), re.S)
    cells = re.findall(
        r'<td class="field-(capacity|member_count|waiting)">(\d+)</td>', row.group(0)
    )
    assert dict(cells) == {"capacity": "3", "member_count": "2", "waiting": "3"}
