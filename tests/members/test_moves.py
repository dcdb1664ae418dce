"""A way up: a member asks to move to another package, from the gate or the packages
page; staff decide it as an application; approving changes the membership's package."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from articles.models import Article
from members.approvals import Result, approve_application, decline_application
from members.models import Application, Event, Membership
from tests.factories import make_application, make_article, make_member, make_tier
from tests.worker import run_due_tasks

pytestmark = pytest.mark.django_db
SITE = "https://news.example.com"
SECRET = "Quetzalwibble"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE
    settings.PUBLICATION_NAME = "The Ledger"
    settings.MANAGERS = [("", "managers@example.com")]


@pytest.fixture
def reader():
    return make_tier(name="Reader", slug="reader", rank=1)


@pytest.fixture
def insider():
    return make_tier(name="Insider", slug="insider", rank=2)


@pytest.fixture
def member(reader, insider):
    ada = make_member(reader, email="ada@example.com", ends_at=timezone.now() + timedelta(days=90))
    ada.first_name, ada.last_name = "Ada", "Lovelace"
    ada.save()
    return ada


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def insider_post(insider):
    return make_article(
        slug="insider-post",
        body=f"Open.\n\nOpen too.\n\n<!--members-only-->\n\n{SECRET}.",
        visibility=Article.Visibility.TIER,
        minimum_tier=insider,
    )


def test_the_gate_offers_a_member_the_move(member, insider_post):
    page = logged_in(member).get("/articles/insider-post/").content.decode()

    assert "This post is for Insider members." in page
    assert '<a class="button" href="/membership/move/insider/">Ask to move to Insider</a>' in page
    assert "/membership/move/" not in Client().get("/articles/insider-post/").content.decode()


def test_a_member_asks_to_move_and_staff_are_told(member, reader, insider):
    client = logged_in(member)
    page = client.get("/membership/move/insider/").content.decode()
    assert "<h1>Move to Insider</h1>" in page and "You are a Reader member." in page

    response = client.post("/membership/move/insider/", {"note": "For the briefings."})

    assert response["Location"] == "/membership/application/"
    asked = Application.objects.get()
    assert (asked.tier, asked.moving_from, asked.user, asked.email, asked.status) == (
        insider,
        reader,
        member,
        "ada@example.com",
        "pending",
    )
    assert (asked.full_name, asked.reason, asked.asks) == (
        "Ada Lovelace",
        "For the briefings.",
        "Move from Reader",
    )
    event = Event.objects.get(application=asked)
    assert (event.what, event.actor, event.detail) == ("applied", "applicant", "Move from Reader")
    listed = client.get("/membership/application/").content.decode()
    assert "<strong>To move from Reader to Insider</strong>: pending. Asked on" in listed
    run_due_tasks()
    (notice,) = mail.outbox
    assert notice.subject == "[The Ledger] Move from Reader: Ada Lovelace (Insider)"
    assert notice.body == (
        "Ada Lovelace, a member, asks to move from Reader to Insider.\n\n"
        f"Review it: {SITE}/admin/members/application/{asked.pk}/change/\n"
    )


def test_a_member_has_one_request_in_line_at_most(member, insider):
    client = logged_in(member)
    client.post("/membership/move/insider/", {"note": ""})
    make_tier(name="Patron", slug="patron", rank=3)

    again = client.post("/membership/move/patron/", {"note": ""})

    assert again.status_code == 200
    assert (
        "You have a request in line already</strong>: to move to Insider" in again.content.decode()
    )
    assert Application.objects.count() == 1
    assert Application.objects.get().reason == "Asks to move from Reader to Insider."


def test_a_note_with_control_characters_is_refused_and_nothing_is_asked(member, insider):
    response = logged_in(member).post("/membership/move/insider/", {"note": "Hi\x07there"})

    assert "Remove the invisible control characters from this answer." in response.content.decode()
    assert "Hi\x07there</textarea>" in response.content.decode()
    assert not Application.objects.exists()


def test_who_may_ask_and_for_what(member, reader, insider, django_user_model):
    hidden = make_tier(name="Staff pick", slug="staff-pick", rank=9, is_public=False)
    assert Client().get("/membership/move/insider/")["Location"] == (
        "/accounts/login/?next=/membership/move/insider/"
    )
    plain = logged_in(django_user_model.objects.create_user("plain@example.com"))
    assert plain.get("/membership/move/insider/")["Location"] == "/membership/apply/?tier=insider"
    assert logged_in(member).get("/membership/move/reader/")["Location"] == "/account/"
    assert logged_in(member).get(f"/membership/move/{hidden.slug}/").status_code == 404
    assert not Application.objects.exists()


def ask(member, tier_slug="insider") -> Application:
    logged_in(member).post(f"/membership/move/{tier_slug}/", {"note": ""})
    run_due_tasks()
    mail.outbox.clear()  # the managers' notice
    return Application.objects.get(status="pending")


def test_approving_moves_the_membership_and_tells_the_member(
    member, insider, insider_post, staff_user
):
    before = Membership.objects.get(user=member)

    assert approve_application(ask(member), approved_by=staff_user) is Result.MOVED

    after = Membership.objects.get(user=member)
    assert (after.tier, after.started_at, after.ends_at, after.status) == (
        insider,
        before.started_at,
        before.ends_at,
        "active",
    )
    changed = Event.objects.get(what="tier_changed")
    assert (changed.user, changed.detail, changed.staff) == (member, "Reader → Insider", staff_user)
    run_due_tasks()
    (told,) = mail.outbox  # no invitation: they have an account
    assert told.subject == "Your The Ledger membership is now Insider"
    assert told.body == (
        "Dear Ada Lovelace,\n\n"
        "Your request has been approved: your membership of The Ledger is now the Insider "
        f"package, from today. Everything it includes is open to you when you are logged in: {SITE}/\n\n"
        f"Your account: {SITE}/account/\n\n"
        "The Ledger\n"
    )
    assert SECRET in logged_in(member).get("/articles/insider-post/").content.decode()


def test_staff_may_move_a_member_to_another_package_than_asked(member, insider, staff_user):
    patron = make_tier(name="Patron", slug="patron", rank=3)
    approve_application(ask(member), approved_by=staff_user, tier=patron)

    assert Membership.objects.get(user=member).tier == patron
    run_due_tasks()
    assert [m.subject for m in mail.outbox] == ["Your The Ledger membership is now Patron"]


def test_a_request_whose_membership_ended_meanwhile_is_approved_as_a_new_one(
    member, insider, staff_user
):
    application = ask(member)
    Membership.objects.filter(user=member).update(status=Membership.Status.ENDED)

    assert approve_application(application, approved_by=staff_user) is Result.DONE

    membership = Membership.objects.get(user=member)
    assert (membership.tier, membership.status) == (insider, "active")
    run_due_tasks()
    assert [m.subject for m in mail.outbox] == ["Welcome to The Ledger: your invitation"]


def test_declining_a_request_leaves_the_membership_and_says_so(member, reader, staff_user):
    application = ask(member)

    decline_application(application, declined_by=staff_user, notify=True)

    assert Membership.objects.get(user=member).tier == reader
    run_due_tasks()
    (told,) = mail.outbox
    url = re.search(rf"{SITE}/membership/application/\S+/", told.body)[0]
    day = (timezone.localdate() + timedelta(days=180)).strftime("%-d %B %Y")
    assert told.body == (
        "Dear Ada Lovelace,\n\n"
        "Thank you for asking to move to the Insider package of The Ledger. We are not able to "
        "offer it to you at this time: your Reader membership is unchanged. You are welcome "
        f"to ask again from {day}.\n\n"
        f"Your application: {url}\n\n"
        "The Ledger\n"
    )
    page = logged_in(member).get("/membership/move/insider/").content.decode()
    assert f"You are welcome to ask again from {day}." in page
    assert "Ask to move to Insider</button>" not in page


def test_staff_see_the_request_marked_as_a_move(member, staff_client):
    ask(member)
    make_application(full_name="Joining Someone")

    page = staff_client.get("/admin/members/application/").content.decode()
    assert '<td class="field-package">Insider<br><small>Move from Reader</small></td>' in page
    assert re.search(r'<td class="field-package">Tier \d+</td>', page)  # to join
    moves_only = staff_client.get("/admin/members/application/", {"asks": "move"})
    assert "Joining Someone" not in moves_only.content.decode()


def test_admitting_the_next_in_line_moves_a_waiting_member(member, insider, staff_client):
    ask(member)
    chosen = {"action": "admit_next", "_selected_action": [insider.pk]}

    done = staff_client.post(
        "/admin/members/tier/", {**chosen, "confirm": "yes", "count": "1"}, follow=True
    )

    assert [str(m) for m in done.context["messages"]] == ["Moved to their new package and told: 1."]
    assert Membership.objects.get(user=member).tier == insider


def test_a_member_withdraws_their_request_from_their_applications(member):
    application = ask(member)
    client = logged_in(member)
    page = client.get("/membership/application/withdraw/").content.decode()
    assert "<h1>Withdraw your request?</h1>" in page

    client.post("/membership/application/withdraw/")

    application.refresh_from_db()
    assert application.status == "withdrawn"
