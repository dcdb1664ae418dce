"""Staff decide an application from its own page, and every decision that emails people
asks first, saying who gets which email; a note to a declined applicant goes into the
email and the history, as plain text."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client

from members.models import Application, Event, Membership, User
from tests.factories import make_application
from tests.worker import run_due_tasks

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/members/application/"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://news.example.com"
    settings.PUBLICATION_NAME = "The Ledger"


@pytest.fixture
def waiting():
    return make_application(full_name="Ada Reader", email="ada@example.com")


def page_of(application) -> str:
    return f"{CHANGELIST}{application.pk}/change/"


def test_a_waiting_applications_page_offers_the_decisions(staff_client, waiting):
    page = staff_client.get(page_of(waiting)).content.decode()
    assert f'href="/admin/members/application/{waiting.pk}/approve/">Approve…</a>' in page
    assert f'href="/admin/members/application/{waiting.pk}/decline/">Decline…</a>' in page
    assert (
        f'href="/admin/members/application/{waiting.pk}/decline/?with=note">Decline with a '
        "note…</a>"
    ) in page
    Application.objects.filter(pk=waiting.pk).update(status="declined")
    assert "Approve…" not in staff_client.get(page_of(waiting)).content.decode()


def test_approving_from_the_page_asks_first_then_comes_back_to_it(staff_client, waiting):
    url = f"{CHANGELIST}{waiting.pk}/approve/"
    asked = staff_client.get(url).content.decode()
    assert "Ada Reader &lt;ada@example.com&gt;" in asked
    assert not Membership.objects.exists()  # asking changes nothing

    done = staff_client.post(url, {"confirm": "yes"})

    assert done["Location"] == page_of(waiting)
    waiting.refresh_from_db()
    assert waiting.status == "approved" and Membership.objects.filter(user=waiting.user).exists()


def test_declining_from_the_page_with_a_note_tells_them_and_keeps_the_note(staff_client, waiting):
    url = f"{CHANGELIST}{waiting.pk}/decline/?with=note"
    asked = staff_client.get(url).content.decode()
    assert (
        "1 application will be declined. With “Tell them by email” ticked, 1 applicant will "
        "receive the polite email saying so"
    ) in asked
    assert "autofocus" in asked
    note = "Try again <b>next spring</b> & write more."

    done = staff_client.post(url, {"confirm": "yes", "notify": "on", "note": note})

    assert done["Location"] == page_of(waiting)
    waiting.refresh_from_db()
    assert waiting.status == "declined"
    event = Event.objects.get(application=waiting, what="declined")
    assert event.detail == f"told by email: {note}"
    assert "told by email: Try again &lt;b&gt;next spring&lt;/b&gt;" in (
        staff_client.get(page_of(waiting)).content.decode()
    )
    run_due_tasks()
    (told,) = mail.outbox
    url = re.search(r"https://\S+/membership/application/\S+/", told.body)[0]
    assert told.body.endswith(
        "You are welcome to keep reading our free essays at https://news.example.com/.\n\n"
        "A note from our editors:\n"
        f"{note}\n\n"
        f"Your application: {url}\n\n"
        "The Ledger\n"
    )
    html = told.alternatives[0][0]
    assert (
        "<blockquote>Try again &lt;b&gt;next spring&lt;/b&gt; &amp; write more.</blockquote>"
        in html
    )


def test_a_note_without_the_email_is_refused_and_nothing_changes(staff_client, waiting):
    response = staff_client.post(
        f"{CHANGELIST}{waiting.pk}/decline/", {"confirm": "yes", "note": "A note"}
    )
    assert "A note goes in the email: tick “Tell them by email”." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == "pending" and not Event.objects.filter(what="declined").exists()


def test_the_lists_polite_decline_asks_first_and_names_who_is_emailed(staff_client, waiting):
    already = make_application(status="declined")
    chosen = {"action": "decline_with_email", "_selected_action": [waiting.pk, already.pk]}

    asked = staff_client.post(CHANGELIST, chosen)

    page = asked.content.decode()
    assert asked.status_code == 200 and "1 application will be declined" in page
    assert "(now declined: left as it is)" in page
    run_due_tasks()
    assert mail.outbox == [] and Application.objects.get(pk=waiting.pk).status == "pending"

    staff_client.post(CHANGELIST, {**chosen, "confirm": "yes", "notify": "on"})
    run_due_tasks()
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]


def test_staff_who_may_only_view_cannot_decide_from_the_page(waiting):
    viewer = User.objects.create_user("viewer@example.com", "a-long-pw-x", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_application"))
    client = Client()
    client.force_login(viewer)

    assert "Approve…" not in client.get(page_of(waiting)).content.decode()
    for decision in ["approve", "decline"]:
        url = f"{CHANGELIST}{waiting.pk}/{decision}/"
        assert client.post(url, {"confirm": "yes", "notify": "on"}).status_code == 403
    assert Application.objects.get(pk=waiting.pk).status == "pending"
