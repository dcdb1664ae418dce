"""A member leaves from their account page: asked first, now or at the membership's end,
recorded in the history; the account stays, and a former member may apply again."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from articles.models import Article
from letters.models import Send
from letters.sending import send_post
from members.applications import confirm
from members.models import Application, Event, Membership, Submission, User
from tests.factories import application_answers, make_article, make_member, make_tier
from tests.worker import run_due_tasks

pytestmark = pytest.mark.django_db
SECRET = "Zanzibarquux"


@pytest.fixture
def insider():
    return make_tier(name="Insider", slug="insider", rank=2)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_account_page_offers_a_change_of_package_and_leaving(insider):
    page = logged_in(make_member(insider)).get("/account/").content.decode()
    assert (
        '<a class="button" href="/membership/">Change package</a> '
        '<a href="/account/leave/">Leave</a>'
    ) in page


def test_leaving_asks_first_and_a_missing_answer_changes_nothing(insider):
    member = make_member(insider, ends_at=timezone.now() + timedelta(days=30))
    client = logged_in(member)
    page = client.get("/account/leave/").content.decode()
    assert "<h1>Leave your Insider membership?</h1>" in page
    assert 'value="now"' in page and 'value="at_end"' in page

    refused = client.post("/account/leave/", {"keep_letter": "on"})

    assert "Choose when your membership should end." in refused.content.decode()
    assert Membership.objects.get(user=member).status == "active"
    assert not Event.objects.filter(what="left").exists()


def test_a_member_leaves_now_and_reads_as_anyone_does(insider):
    member = make_member(insider)
    make_article(
        slug="insider-post",
        body=f"Open.\n\nOpen too.\n\n<!--members-only-->\n\n{SECRET}.",
        visibility=Article.Visibility.MEMBERS,
    )
    client = logged_in(member)
    assert SECRET in client.get("/articles/insider-post/").content.decode()

    done = client.post("/account/leave/", {"when": "now", "keep_letter": "on"}, follow=True)

    assert "Your membership has ended. You are welcome back whenever you like" in (
        done.content.decode()
    )
    membership = Membership.objects.get(user=member)
    assert membership.status == "ended" and membership.ends_at <= timezone.now()
    left = Event.objects.get(what="left")
    assert (left.user, left.actor, left.detail) == (member, "applicant", "now")
    page = client.get("/articles/insider-post/").content.decode()
    assert SECRET not in page and "Your membership has ended." in page


def test_a_member_with_an_end_date_may_leave_then(insider):
    ends = timezone.now() + timedelta(days=30)
    member = make_member(insider, ends_at=ends)

    done = logged_in(member).post("/account/leave/", {"when": "at_end"}, follow=True)

    day = timezone.localtime(ends).strftime("%-d %B %Y")
    assert f"Your membership ends on {day}. Until then, read on." in done.content.decode()
    membership = Membership.objects.get(user=member)
    assert (membership.status, membership.ends_at) == ("active", ends)
    assert Event.objects.get(what="left").detail == f"at its end, {day}"


def test_a_member_without_an_end_date_can_only_leave_now(insider):
    member = make_member(insider)
    client = logged_in(member)
    assert 'value="at_end"' not in client.get("/account/leave/").content.decode()

    client.post("/account/leave/", {"when": "at_end"})

    assert Membership.objects.get(user=member).status == "active"


@pytest.mark.parametrize(("keep", "reached"), [(True, True), (False, False)])
def test_the_free_letter_after_leaving_is_the_members_choice(insider, staff_user, keep, reached):
    member = make_member(insider, email="ada@example.com")
    form = {"when": "now", **({"keep_letter": "on"} if keep else {})}
    logged_in(member).post("/account/leave/", form)

    send_post(make_article(), audience=Send.Audience.FREE, tier=None, sent_by=staff_user)
    run_due_tasks()

    assert any(m.to == ["ada@example.com"] for m in mail.outbox) is reached
    assert User.objects.subscribers().filter(pk=member.pk).exists() is reached


def test_leaving_withdraws_a_request_to_move(insider):
    member = make_member(make_tier(name="Reader", slug="reader", rank=1))
    client = logged_in(member)
    client.post("/membership/move/insider/", {"note": ""})

    client.post("/account/leave/", {"when": "now"})

    assert Application.objects.get().status == "withdrawn"


def test_a_former_member_may_apply_again(insider):
    member = make_member(insider, email="ada@example.com")
    logged_in(member).post("/account/leave/", {"when": "now"})

    Client().post("/membership/apply/", application_answers(insider, email="ada@example.com"))
    confirmation = confirm(Submission.objects.get())

    assert confirmation.created and confirmation.application.status == "pending"


def test_nobody_without_a_membership_is_asked_to_leave(django_user_model):
    client = logged_in(django_user_model.objects.create_user("plain@example.com"))
    response = client.get("/account/leave/", follow=True)
    assert response.redirect_chain == [("/account/", 302)]
    assert "You have no membership to leave." in response.content.decode()
