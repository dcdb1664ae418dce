from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from members.approvals import approve_application
from members.models import Application, Membership
from tests.factories import application_answers, make_application, make_member, make_tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def tier():
    return make_tier(name="Insider", slug="insider")


@pytest.fixture(autouse=True)
def managers(settings):
    settings.MANAGERS = [("", "editors@example.com")]


@pytest.fixture
def apply(client, run_tasks):
    """Post an application, then let the worker send the emails it queued."""

    def post(data: dict, **extra):
        response = client.post("/membership/apply/", data, **extra)
        run_tasks()
        return response

    return post


def test_tier_in_the_address_is_preselected(client, tier):
    make_tier(slug="other")
    response = client.get("/membership/apply/?tier=insider")
    assert response.status_code == 200
    assert f'<option value="{tier.pk}" selected>Insider</option>' in response.content.decode()


def test_a_valid_application_is_saved_thanked_and_confirmed_by_email(client, apply, tier):
    response = apply(application_answers(tier, email="  Ada@Example.COM "))

    assert response.status_code == 302
    assert response["Location"] == "/membership/apply/thanks/"
    application = Application.objects.get()
    assert (application.email, application.tier, application.status) == (
        "ada@example.com",
        tier,
        Application.Status.PENDING,
    )
    thanks = client.get(response["Location"]).content.decode()
    assert "Thank you for applying" in thanks
    assert "updated that application" not in thanks

    confirmation, notice = mail.outbox
    assert confirmation.to == ["ada@example.com"]
    assert confirmation.subject == "Your application to The Ledger"
    assert "What happens next" in confirmation.body
    html, mimetype = confirmation.alternatives[0]
    assert mimetype == "text/html"
    assert "<strong>What happens next:</strong>" in html
    assert notice.to == ["editors@example.com"]
    assert notice.subject.endswith("New application: Ada Reader (Insider)")
    assert f"/admin/members/application/{application.pk}/change/" in notice.body


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "", "Tell us your name."),
        ("full_name", "x" * 121, "Ensure this value has at most 120 characters (it has 121)."),
        ("full_name", "Ada\nReader", "Keep this answer on one line."),
        ("full_name", "Ada\x00Reader", "Null characters are not allowed."),
        ("organisation", "Acme\x07", "Remove the invisible control characters from this answer."),
        ("email", "", "Tell us the email address to reply to."),
        ("email", "not-an-email", "Enter an email address like name@example.com."),
        ("email", "a" * 250 + "@example.com", "Ensure this value has at most 254 characters (it has 262)."),
        ("organisation", "", "Tell us where you work, or “Independent”."),
        ("role", "", "Tell us what you do there."),
        ("link", "javascript:alert(1)", "Enter a full web address, like https://example.com/you."),
        ("link", "https://example.com/" + "a" * 290, "Ensure this value has at most 300 characters (it has 310)."),
        ("tier", "", "Choose a membership package."),
        ("tier", "999999", "Choose one of the membership packages listed."),
        ("tier", "abc", "Choose one of the membership packages listed."),
        ("reason", "", "Tell us in a few words why you would like to join."),
        ("reason", "Because.", "Tell us a little more: at least 20 characters."),
        ("reason", "x" * 2001, "Ensure this value has at most 2000 characters (it has 2001)."),
        ("heard_from", "", "Tell us how you heard about us."),
        ("heard_from", "telepathy", "Choose one of the answers listed."),
        ("consent", "", "We need your agreement to contact you about your application."),
    ],
)  # fmt: skip
def test_bad_answers_get_a_message_next_to_the_field_and_keep_what_was_typed(
    client, tier, field, value, message
):
    data = application_answers(tier, **{field: value})
    if not value:
        del data[field]

    response = client.post("/membership/apply/", data)

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    html = response.content.decode()
    assert "Please check the answers marked below." in html
    if field != "full_name":
        assert 'value="Ada Reader"' in html
    assert not Application.objects.exists()
    assert mail.outbox == []


def test_a_hidden_tier_cannot_be_chosen(client):
    hidden = make_tier(is_public=False)
    response = client.post("/membership/apply/", application_answers(hidden))
    assert response.context["form"].errors["tier"] == [
        "Choose one of the membership packages listed."
    ]


def test_markup_in_answers_is_stored_as_text_and_shown_escaped(client, tier, staff_client):
    client.post(
        "/membership/apply/", application_answers(tier, full_name="<script>alert(1)</script>")
    )
    application = Application.objects.get()
    assert application.full_name == "<script>alert(1)</script>"
    page = staff_client.get(f"/admin/members/application/{application.pk}/change/")
    assert "<script>alert(1)</script>" not in page.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content.decode()


def test_the_honeypot_thanks_a_bot_and_keeps_nothing(client, tier):
    response = client.post(
        "/membership/apply/", application_answers(tier, website="http://spam.example")
    )
    assert response.status_code == 302
    assert response["Location"] == "/membership/apply/thanks/"
    assert not Application.objects.exists()
    assert mail.outbox == []


def test_applying_again_updates_the_pending_application_and_says_so_by_email_only(
    client, apply, tier
):
    apply(application_answers(tier))
    first = client.get("/membership/apply/thanks/").content
    apply(application_answers(tier, email="ADA@example.com", role="Director"))
    again = client.get("/membership/apply/thanks/").content

    assert again == first  # the page tells nobody whether an address has applied
    assert Application.objects.count() == 1
    assert Application.objects.get().role == "Director"
    assert mail.outbox[-1].subject == "We've updated your application to The Ledger"
    assert len([m for m in mail.outbox if m.to == ["editors@example.com"]]) == 1


def test_a_declined_applicant_who_applies_again_is_back_in_review(client, tier):
    make_application(email="ada@example.com", status=Application.Status.DECLINED, tier=tier)
    client.post("/membership/apply/", application_answers(tier))
    assert Application.objects.get().status == Application.Status.PENDING


def test_a_members_email_is_told_to_log_in_by_email_and_the_page_reveals_nothing(
    client, apply, tier
):
    make_member(email="ada@example.com")

    apply(application_answers(tier, email="Ada@example.com"))
    response = client.get("/membership/apply/thanks/")

    html = response.content.decode()
    assert "Thank you for applying" in html
    assert "updated" not in html
    assert not Application.objects.exists()
    (message,) = mail.outbox
    assert message.to == ["ada@example.com"]
    assert "already belongs to a member" in message.body
    assert "http://127.0.0.1:8000/accounts/login/" in message.body
    assert "http://127.0.0.1:8000/accounts/password/reset/" in message.body


@pytest.mark.parametrize(
    "ended",
    [
        {"status": Membership.Status.ENDED},
        {"ends_at": timezone.now() - timedelta(days=1)},
    ],
)
def test_a_member_whose_membership_ended_may_apply_again_and_approval_renews_it(
    apply, tier, staff_user, run_tasks, ended
):
    """The gate tells lapsed members to apply again; their application counts."""
    lapsed = make_member(email="ada@example.com", **ended)

    apply(application_answers(tier, email="ADA@example.com"))

    application = Application.objects.get()
    assert (application.email, application.status) == ("ada@example.com", "pending")
    assert [m.subject for m in mail.outbox] == [
        "Your application to The Ledger",
        "[The Ledger] New application: Ada Reader (Insider)",
    ]

    approve_application(application, approved_by=staff_user)
    run_tasks()
    lapsed.membership.refresh_from_db()
    assert (lapsed.membership.status, lapsed.membership.ends_at) == ("active", None)
    assert lapsed.membership.tier == tier
    assert get_user_model().objects.filter(email="ada@example.com").count() == 1
    assert Application.objects.get().user == lapsed


def test_applications_over_the_limit_get_a_429_that_says_when_to_try_again(client, tier, settings):
    settings.APPLICATION_RATE_LIMIT = 2
    for n in range(2):
        assert (
            client.post(
                "/membership/apply/", application_answers(tier, email=f"a{n}@example.com")
            ).status_code
            == 302
        )

    response = client.post("/membership/apply/", application_answers(tier, email="a3@example.com"))

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.APPLICATION_RATE_WINDOW
    assert "Please try again in" in response.content.decode()
    assert Application.objects.count() == 2
    other_address = client.post(
        "/membership/apply/",
        application_answers(tier, email="b@example.com"),
        REMOTE_ADDR="10.9.8.7",
    )
    assert other_address.status_code == 302


def test_csrf_is_enforced(tier):
    response = Client(enforce_csrf_checks=True).post(
        "/membership/apply/", application_answers(tier)
    )
    assert response.status_code == 403
    assert not Application.objects.exists()


def test_other_methods_are_refused(client):
    assert client.put("/membership/apply/").status_code == 405


def test_one_email_applying_too_often_is_limited_whatever_the_address(client, tier, settings):
    settings.APPLICATION_EMAIL_RATE_LIMIT = 2
    for n in range(2):
        client.post("/membership/apply/", application_answers(tier), REMOTE_ADDR=f"10.0.0.{n + 1}")
    response = client.post(
        "/membership/apply/",
        application_answers(tier, email="ADA@example.com"),
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 429
    assert "one email address" in response.content.decode()


def test_markup_in_answers_is_escaped_in_the_html_email(apply, tier):
    apply(application_answers(tier, full_name="<img src=x onerror=alert(1)>"))
    html, _ = mail.outbox[0].alternatives[0]
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
