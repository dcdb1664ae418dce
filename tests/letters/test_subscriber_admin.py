"""The free list in the admin: counts, search, filters and the CSV export."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from members.models import Membership, User
from tests.factories import make_member, make_tier

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/letters/subscriber/"


@pytest.fixture
def subscribers():
    now = timezone.now()
    ada = User.objects.create_user("ada@example.com", first_name="Ada", subscribed_at=now)
    User.objects.create_user("bob@example.com", subscribed_at=now, receives_letter=False)
    member = make_member(make_tier(name="Insider", rank=2), email="member@example.com")
    User.objects.filter(pk=member.pk).update(subscribed_at=now)
    make_member(make_tier(name="Patron", rank=3), email="only-member@example.com")
    return ada


def test_staff_see_the_free_list_with_its_counts(staff_client, subscribers):
    page = staff_client.get(CHANGELIST).content.decode()

    assert (
        "<strong>2</strong> receive the letter · <strong>1</strong> do not (unsubscribed or "
        "bounced) · <strong>1</strong> are members too"
    ) in page
    for listed in ["ada@example.com", "bob@example.com", "member@example.com"]:
        assert listed in page
    assert "only-member@example.com" not in page  # a member who never subscribed


def test_staff_search_and_filter_the_free_list(staff_client, subscribers):
    found = staff_client.get(CHANGELIST, {"q": "ada"}).content.decode()
    assert "ada@example.com" in found and "bob@example.com" not in found

    members = staff_client.get(CHANGELIST, {"member": "yes"}).content.decode()
    assert "member@example.com" in members and "ada@example.com" not in members
    off = staff_client.get(CHANGELIST, {"receives_letter__exact": "0"}).content.decode()
    assert "bob@example.com" in off and "ada@example.com" not in off


def test_the_free_list_exports_as_csv_only_with_its_permission(subscribers):
    def client_with(*codenames):
        user = User.objects.create_user(f"{len(codenames)}@staff.example.com", is_staff=True)
        user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
        client = Client()
        client.force_login(user)
        return client

    chosen = list(User.objects.subscribers().values_list("pk", flat=True))
    form = {"action": "export_csv", "_selected_action": chosen}

    refused = client_with("view_subscriber").post(CHANGELIST, form)
    exported = client_with("view_subscriber", "export_subscriber").post(CHANGELIST, form)

    assert refused["Content-Type"] == "text/html; charset=utf-8"
    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    today = timezone.now().date().isoformat()
    assert rows[0] == [
        "Email",
        "First Name",
        "Last Name",
        "Subscribed",
        "Receives Letter",
        "Package",
    ]
    assert sorted(rows[1:]) == [
        ["ada@example.com", "Ada", "", today, "yes", ""],
        ["bob@example.com", "", "", today, "no", ""],
        ["member@example.com", "", "", today, "yes", "Insider"],
    ]


def test_staff_cannot_add_a_subscriber_past_the_mailbox(staff_client):
    assert staff_client.get(CHANGELIST + "add/").status_code == 403
    assert Membership.objects.count() == 0
