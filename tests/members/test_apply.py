import io
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from members import links
from members.applications import ANSWER_NAMES, purge_unconfirmed
from members.approvals import approve_application
from members.models import Application, Membership, Submission
from tests.factories import (
    application_answers,
    make_application,
    make_member,
    make_submission,
    make_tier,
)
from tests.members.waitlist import apply_and_confirm, confirm, emailed_link

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


def test_the_form_keeps_nothing_staff_see_and_emails_a_link_to_confirm(client, apply, tier):
    response = apply(application_answers(tier, email="  Ada@Example.COM "))

    assert response.status_code == 302
    assert response["Location"] == "/membership/apply/thanks/"
    assert not Application.objects.exists()
    assert Submission.objects.get().email == "ada@example.com"
    thanks = client.get(response["Location"]).content.decode()
    assert "<h1>Check your inbox</h1>" in thanks
    assert "Follow the link in it within 48 hours" in thanks
    (confirmation,) = mail.outbox  # staff hear of it only once it is confirmed
    assert confirmation.to == ["ada@example.com"]
    assert confirmation.subject == "Confirm your application to The Ledger"
    assert emailed_link("confirm").startswith("/membership/confirm/")


def test_following_the_link_makes_the_application_and_tells_staff(client, apply, tier):
    apply(application_answers(tier))
    link = emailed_link("confirm")

    page = client.get(link)
    assert "Confirm my application" in page.content.decode()
    assert not Application.objects.exists()  # a mail scanner that follows links confirms nothing

    before = timezone.now()
    response = confirm(client)

    assert response["Location"] == "/membership/application/"
    application = Application.objects.get()
    assert (application.email, application.tier, application.status) == (
        "ada@example.com",
        tier,
        Application.Status.PENDING,
    )
    assert application.created_at >= before  # in line from the moment it was confirmed
    assert not Submission.objects.exists()
    received, notice = mail.outbox[1:]
    assert received.subject == "Your application to The Ledger"
    assert emailed_link("application", "ada@example.com").startswith("/membership/application/")
    assert notice.to == ["editors@example.com"]
    assert notice.subject.endswith("New application: Ada Reader (Insider)")
    assert f"/admin/members/application/{application.pk}/change/" in notice.body
    own_page = client.get(response["Location"]).content.decode()
    assert "Thank you: your application is confirmed and in line." in own_page


def test_a_confirmation_link_works_once(client, apply, tier):
    apply(application_answers(tier))
    link = emailed_link("confirm")
    confirm(client)

    for again in (client.get(link), Client().post(link)):
        assert again.status_code == 410
        assert "<h1>This link no longer works</h1>" in again.content.decode()
    assert Application.objects.count() == 1


@pytest.mark.parametrize("spoil", [lambda link: link[:-3] + "xx/", lambda link: link[:-2] + "/"])
def test_a_link_tampered_with_confirms_nothing(client, apply, tier, spoil):
    apply(application_answers(tier))
    response = client.post(spoil(emailed_link("confirm")))
    assert response.status_code == 410
    assert not Application.objects.exists()


def test_a_confirmation_link_expires_after_its_time(client, apply, tier, monkeypatch):
    two_days_ago = signing.b62_encode(int(time.time()) - 48 * 3600 - 1)
    monkeypatch.setattr(links.CONFIRM, "timestamp", lambda: two_days_ago)
    apply(application_answers(tier))
    response = client.post(emailed_link("confirm"))
    assert response.status_code == 410
    assert "<h1>This link no longer works</h1>" in response.content.decode()
    assert not Application.objects.exists()


def test_unconfirmed_submissions_are_purged_once_their_link_has_expired(apply, tier):
    apply(application_answers(tier))
    Submission.objects.update(created_at=timezone.now() - timedelta(hours=47))
    assert purge_unconfirmed() == 0
    Submission.objects.update(created_at=timezone.now() - timedelta(hours=48, seconds=1))

    apply(application_answers(tier, email="grace@example.com"))  # purges on the way

    assert list(Submission.objects.values_list("email", flat=True)) == ["grace@example.com"]


def test_the_daily_purge_deletes_expired_submissions_on_a_quiet_site(tier):
    make_submission(tier=tier, created_at=timezone.now() - timedelta(days=3))
    make_submission(tier=tier, email="fresh@example.com")
    out = io.StringIO()
    call_command("purge_unconfirmed", stdout=out)
    assert out.getvalue() == "Unconfirmed submissions deleted: 1\n"
    assert list(Submission.objects.values_list("email", flat=True)) == ["fresh@example.com"]


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
    assert not Submission.objects.exists()
    assert mail.outbox == []


def test_a_hidden_tier_cannot_be_chosen(client):
    hidden = make_tier(is_public=False)
    response = client.post("/membership/apply/", application_answers(hidden))
    assert response.context["form"].errors["tier"] == [
        "Choose one of the membership packages listed."
    ]


def test_markup_in_answers_is_stored_as_text_and_shown_escaped(client, tier, staff_client):
    apply_and_confirm(client, application_answers(tier, full_name="<script>alert(1)</script>"))
    application = Application.objects.get()
    assert application.full_name == "<script>alert(1)</script>"
    for page in (
        staff_client.get(f"/admin/members/application/{application.pk}/change/"),
        client.get("/membership/application/"),
    ):
        assert "<script>alert(1)</script>" not in page.content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content.decode()


def test_the_honeypot_thanks_a_bot_and_keeps_nothing(client, tier):
    response = client.post(
        "/membership/apply/", application_answers(tier, website="http://spam.example")
    )
    assert response.status_code == 302
    assert response["Location"] == "/membership/apply/thanks/"
    assert not Submission.objects.exists()
    assert mail.outbox == []


def test_a_stranger_using_your_address_changes_nothing_and_learns_nothing(client, apply, tier):
    """The first problem of issue 13: anyone could overwrite a pending or declined
    application by sending the form with its address, and the page said it had."""
    first = apply_and_confirm(Client(), application_answers(tier))
    assert first["Location"] == "/membership/application/"
    declined = make_application(
        email="grace@example.com", tier=tier, status="declined", reviewed_at=timezone.now()
    )
    before = list(Application.objects.order_by("pk").values())
    mail.outbox.clear()
    fresh = apply(application_answers(tier, email="new@example.com"))
    new_page = client.get(fresh["Location"]).content

    for victim in ("ada@example.com", "grace@example.com"):
        stranger = application_answers(
            make_tier(), email=victim.upper(), full_name="Mallory", reason="x" * 40
        )
        response = apply(stranger)
        assert client.get(response["Location"]).content == new_page

    assert list(Application.objects.order_by("pk").values()) == before
    assert [(m.to, m.subject) for m in mail.outbox[1:]] == [
        (["ada@example.com"], "Confirm your application to The Ledger"),
        (["grace@example.com"], "Confirm your application to The Ledger"),
    ]
    assert not any("Mallory" in m.body for m in mail.outbox)

    # Even the mailbox's owner following the link keeps the application as it was.
    owner = Client()
    response = confirm(owner, "ada@example.com")
    assert response["Location"] == "/membership/application/"
    page = owner.get(response["Location"]).content.decode()
    assert "so that application stands and your new answers were not kept" in page
    assert 'value="Ada Reader"' in page
    assert list(Application.objects.order_by("pk").values()) == before
    assert declined.status == "declined"


def test_a_declined_applicant_may_apply_again_after_the_wait(client, apply, tier, settings):
    settings.REAPPLY_AFTER_DAYS = 180
    declined = make_application(
        email="ada@example.com",
        tier=tier,
        status="declined",
        reviewed_at=timezone.now() - timedelta(days=179),
    )
    apply(application_answers(tier))
    response = confirm(client)

    assert Application.objects.get() == declined
    page = client.get(response["Location"]).content.decode()
    wait_ends = timezone.localdate() + timedelta(days=1)
    assert f"You are welcome to apply again from {wait_ends:%-d %B %Y}." in page

    Application.objects.update(reviewed_at=timezone.now() - timedelta(days=181))
    apply(application_answers(tier, role="Director"))
    confirm(client)
    again, earlier = Application.objects.all()
    assert (again.status, again.role, earlier) == ("pending", "Director", declined)


def test_a_member_applying_is_emailed_a_login_link_and_the_page_reveals_nothing(
    client, apply, tier
):
    member = make_member(email="ada@example.com")
    new_page = client.get(apply(application_answers(tier, email="x@example.com"))["Location"])
    mail.outbox.clear()

    response = apply(application_answers(tier, email="Ada@example.com"))

    assert client.get(response["Location"]).content == new_page.content
    assert (
        not Application.objects.exists()
        and not Submission.objects.exclude(email="x@example.com").exists()
    )
    (message,) = mail.outbox
    assert message.to == ["ada@example.com"]
    assert "It already belongs to a member, so there is no need to apply." in message.body
    link = emailed_link("login")
    page = client.get(link)
    assert "You will be logged in to The Ledger as <strong>ada@example.com</strong>." in (
        page.content.decode()
    )
    assert client.get("/account/").status_code == 302  # following the link is not logging in
    assert client.post(link)["Location"] == "/account/"
    assert client.get("/account/").context["user"] == member

    used = Client().post(link)
    assert "<h1>This login link no longer works</h1>" in used.content.decode()
    assert "_auth_user_id" not in used.client.session


@pytest.mark.parametrize(
    "ended",
    [
        {"status": Membership.Status.ENDED},
        {"ends_at": timezone.now() - timedelta(days=1)},
    ],
)
def test_a_member_whose_membership_ended_may_apply_again_and_approval_renews_it(
    client, tier, staff_user, run_tasks, ended
):
    """The third problem of issue 13: the gate told lapsed members to apply again, and
    their application was dropped with an email saying they were members."""
    lapsed = make_member(email="ada@example.com", **ended)

    apply_and_confirm(client, application_answers(tier, email="ADA@example.com"))

    application = Application.objects.get()
    assert (application.email, application.status) == ("ada@example.com", "pending")
    assert [m.subject for m in mail.outbox] == [
        "Confirm your application to The Ledger",
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
    assert Submission.objects.count() == 2
    other_address = client.post(
        "/membership/apply/",
        application_answers(tier, email="b@example.com"),
        REMOTE_ADDR="10.9.8.7",
    )
    assert other_address.status_code == 302


@pytest.mark.parametrize(
    ("url", "typo", "good"),
    [
        ("/membership/apply/", {"email": "ada@example"}, None),
        ("/letter/subscribe/", {"email": "ada@example"}, {"email": "ada@example.com"}),
        ("/membership/application/link/", {"email": "ada@"}, {"email": "ada@example.com"}),
    ],
)
def test_a_form_sent_back_with_a_mistake_does_not_count_towards_the_limit(
    client, tier, settings, url, typo, good
):
    """Five tries with a typo used to lock the form for an hour."""
    settings.APPLICATION_RATE_LIMIT = settings.APPLICATION_EMAIL_RATE_LIMIT = 2
    good = good or application_answers(tier)
    mistaken = {**good, **typo}
    for _ in range(5):
        assert client.post(url, mistaken).status_code == 200
    assert [client.post(url, good).status_code for _ in range(3)] == [302, 302, 429]


def test_csrf_is_enforced(tier):
    response = Client(enforce_csrf_checks=True).post(
        "/membership/apply/", application_answers(tier)
    )
    assert response.status_code == 403
    assert not Submission.objects.exists()


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


def test_markup_in_answers_is_escaped_in_the_html_email(client, tier):
    apply_and_confirm(client, application_answers(tier, full_name="<img src=x onerror=alert(1)>"))
    html, _ = mail.outbox[1].alternatives[0]
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_confirmation_page_shows_the_answers_it_confirms_and_what_to_do_if_not_yours(
    client, apply, tier
):
    apply(
        application_answers(
            tier,
            full_name="Ada & Reader",
            reason="I read every policy story.\nAnd the markets ones too.",
        )
    )
    html = client.get(emailed_link("confirm")).content.decode()

    assert "<dt>Name</dt><dd>Ada &amp; Reader</dd>" in html
    assert "<dt>Email address</dt><dd>ada@example.com</dd>" in html
    assert "<dt>Organisation</dt><dd>Analytical Engines Ltd</dd>" in html
    assert "<dt>Role</dt><dd>Research lead</dd>" in html
    assert "<dt>LinkedIn or website</dt><dd>https://example.com/ada</dd>" in html
    assert f"<dt>Membership package</dt><dd>{tier.name}</dd>" in html
    assert (
        "<dt>Why you would like to join</dt><dd>I read every policy story.<br>And the markets ones too.</dd>"
        in html
    )
    assert "<dt>How you heard of us</dt><dd>A newsletter or podcast</dd>" in html
    assert (
        "<strong>Not your answers?</strong> Someone may have typed your address into our "
        "form. Do not confirm: nothing is kept unless you do"
    ) in html
    assert "not the ones you gave last time" not in html  # the address never applied


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (Application.Status.WITHDRAWN, "withdrew an application on"),
        (Application.Status.DECLINED, "had an application declined on"),
    ],
)
def test_a_link_whose_answers_differ_from_the_addresss_last_application_says_so(
    client, apply, tier, status, says
):
    answers = application_answers(tier)
    mine = make_application(
        tier=tier,
        email=answers["email"],
        **{field: answers[field] for field in ANSWER_NAMES if field != "tier"},
    )
    Application.objects.filter(pk=mine.pk).update(status=status, reviewed_at=timezone.now())
    apply(answers)
    unchanged = client.get(emailed_link("confirm")).content.decode()
    stranger = application_answers(tier, full_name="Mallory", organisation="Elsewhere plc")
    apply(stranger)
    changed = client.get(emailed_link("confirm")).content.decode()

    assert "not the ones you gave last time" not in unchanged
    assert "<strong>These answers are not the ones you gave last time.</strong>" in changed
    assert says in changed
    assert "and these differ from it in: name, organisation." in changed


def test_a_pending_last_application_raises_no_such_notice(client, apply, tier):
    make_application(tier=tier, email="ada@example.com", full_name="Someone Else")
    apply(application_answers(tier))
    assert (
        "not the ones you gave last time"
        not in client.get(emailed_link("confirm")).content.decode()
    )


def test_a_second_applications_confirmation_page_says_the_first_one_stands(client, apply, tier):
    """It used to promise the new package, though pressing it keeps the old application."""
    first = make_application(email="ada@example.com", tier=make_tier(name="Reader", rank=77))
    apply(application_answers(tier))
    link = emailed_link("confirm")

    html = client.get(link).content.decode()

    assert "<h1>You have applied already</h1>" in html
    assert (
        f"has an application waiting, for the Reader package, since "
        f"{first.created_at:%-d %B %Y}. It keeps its place in line: confirming opens it"
    ) in html
    assert "Open my application</button>" in html and "Confirm my application" not in html
    client.post(link)
    assert Application.objects.get().tier.name == "Reader"  # what the page said


def test_a_declined_applicants_confirmation_page_says_when_they_may_apply_again(
    client, apply, tier
):
    declined = make_application(email="ada@example.com", tier=tier, status="declined")
    Application.objects.filter(pk=declined.pk).update(reviewed_at=timezone.now())
    apply(application_answers(tier))

    html = client.get(emailed_link("confirm")).content.decode()

    day = (timezone.localdate() + timedelta(days=180)).strftime("%-d %B %Y")
    assert f"was declined, and a new one can be made from {day}." in html
