"""The applicant's own page: opened only by a link from their mailbox, where they see
their application's state and place in line, change their answers or withdraw it."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members import links
from members.applicant import SESSION_KEY
from members.approvals import approve_application
from members.models import Application, Event
from tests.factories import (
    application_answers,
    make_application,
    make_member,
    make_submission,
    make_tier,
)
from tests.members.waitlist import apply_and_confirm, emailed_link

pytestmark = pytest.mark.django_db
OWN_PAGE = "/membership/application/"


@pytest.fixture
def insider():
    return make_tier(name="Insider", slug="insider", rank=2)


def opened(application: Application) -> Client:
    """A browser that followed the application's emailed link."""
    client = Client()
    assert client.get(links.application_url(application))["Location"] == OWN_PAGE
    return client


def changes(application: Application, **answers) -> dict:
    return {
        **{field: getattr(application, field) for field in Application.CHANGEABLE},
        "tier": application.tier_id,
        **answers,
    }


def test_without_its_link_the_page_only_offers_to_send_it(client, insider):
    application = make_application(full_name="Ada Reader", tier=insider)
    page = client.get(OWN_PAGE)
    html = page.content.decode()
    assert "<h1>Your application</h1>" in html and "Email me the link" in html
    assert "Ada Reader" not in html and "Insider" not in html
    assert client.post(OWN_PAGE, changes(application, role="Hacker")).status_code == 200
    assert Application.objects.get().role == application.role


def test_the_link_opens_the_page_and_leaves_no_secret_in_the_address(insider):
    application = make_application(full_name="Ada Reader", tier=insider)
    browser = Client()
    browser.cookies.load({"sessionid": "planted-by-a-stranger"})
    followed = browser.get(links.application_url(application))

    assert followed.status_code == 302 and followed["Location"] == OWN_PAGE
    assert browser.cookies["sessionid"].value != "planted-by-a-stranger"
    page = browser.get(OWN_PAGE)
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    html = page.content.decode()
    assert 'value="Ada Reader"' in html
    assert "Waiting for review since" in html


@pytest.mark.parametrize(
    "spoil",
    [
        lambda token: token[:-2] + "xx",
        lambda token: signing.TimestampSigner(salt="members.confirm").sign(token.split(":")[0]),
    ],
)
def test_a_link_tampered_with_opens_nothing(client, insider, spoil):
    application = make_application(tier=insider)
    token = links.application_token(application)
    response = client.get(f"/membership/application/{spoil(token)}/")
    assert response.status_code == 410
    assert SESSION_KEY not in client.session


def test_the_link_expires_and_dies_when_staff_correct_the_address(insider, settings):
    application = make_application(email="ada@example.com", tier=insider)
    browser = opened(application)

    Application.objects.update(email="ada.lovelace@example.com")
    assert "Email me the link" in browser.get(OWN_PAGE).content.decode()
    assert Client().get(links.application_url(application)).status_code == 410

    application.refresh_from_db()
    browser = opened(application)
    settings.APPLICATION_LINK_MAX_AGE = -1  # every link is past its time
    assert "Email me the link" in browser.get(OWN_PAGE).content.decode()


def test_an_applicant_changes_their_answers_and_keeps_their_place(insider):
    first = make_application(tier=insider)
    mine = make_application(email="ada@example.com", tier=insider)
    browser = opened(mine)
    reader = make_tier(name="Reader", rank=1)

    saved = browser.post(
        OWN_PAGE,
        changes(mine, role="Director", tier=reader.pk, email="mallory@example.com"),
        follow=True,
    )

    mine.refresh_from_db()
    assert (mine.role, mine.tier, mine.email) == ("Director", reader, "ada@example.com")
    assert "Your changes are saved." in saved.content.decode()
    assert mine.created_at > first.created_at  # the place in line is when it was confirmed
    event = Event.objects.get(what="changed")
    assert (event.actor, event.detail, event.application) == ("applicant", "role, tier", mine)
    browser.post(OWN_PAGE, changes(mine))
    assert Event.objects.filter(what="changed").count() == 1  # nothing changed, nothing said


def test_bad_changes_get_a_message_and_lose_nothing(insider):
    mine = make_application(tier=insider, role="Analyst")
    browser = opened(mine)
    response = browser.post(OWN_PAGE, changes(mine, role="", full_name="Ada Typed"))
    assert response.status_code == 200
    assert response.context["form"].errors == {"role": ["Tell us what you do there."]}
    html = response.content.decode()
    assert "Please check the answers marked below." in html
    assert 'value="Ada Typed"' in html
    mine.refresh_from_db()
    assert mine.role == "Analyst" and mine.full_name != "Ada Typed"


def test_the_place_in_line_counts_older_waiting_applications_for_this_package_or_higher(
    insider,
):
    reader, patron = make_tier(name="Reader", rank=1), make_tier(name="Patron", rank=3)
    make_application(tier=insider)
    make_application(tier=patron)
    make_application(tier=reader)  # a lower package: not ahead
    make_application(tier=insider, status="approved")  # decided: not in line
    make_application(tier=insider, status="withdrawn")
    mine = make_application(tier=insider)
    make_application(tier=insider)  # after mine

    page = opened(mine).get(OWN_PAGE).content.decode()
    assert "You are 3rd in line for Insider." in page

    insider.shows_place_in_line = False
    insider.save()
    page = opened(mine).get(OWN_PAGE).content.decode()
    assert "in line for" not in page
    assert "Waiting for review since" in page


def test_an_applicant_withdraws_and_may_apply_again_at_once(insider):
    applicant = Client()
    apply_and_confirm(applicant, application_answers(insider))
    asked = applicant.get("/membership/application/withdraw/").content.decode()
    assert "<h1>Withdraw your application?</h1>" in asked
    assert Application.objects.get().status == "pending"  # asking is not withdrawing

    page = applicant.post("/membership/application/withdraw/", follow=True).content.decode()

    assert Application.objects.get().status == "withdrawn"
    assert "Your application is withdrawn." in page
    assert "You withdrew this application on" in page
    assert "Save my changes" not in page
    apply_and_confirm(applicant, application_answers(insider))
    assert list(Application.objects.values_list("status", flat=True)) == ["pending", "withdrawn"]


def test_a_decision_made_meanwhile_stands(insider, staff_user):
    mine = make_application(tier=insider, role="Analyst")
    browser = opened(mine)
    Application.objects.update(status="declined", reviewed_at=timezone.now())

    browser.post(OWN_PAGE, changes(mine, role="Director"))
    browser.post("/membership/application/withdraw/")

    mine.refresh_from_db()
    assert (mine.status, mine.role) == ("declined", "Analyst")


@pytest.mark.parametrize(
    ("status", "says"),
    [
        ("approved", "We have emailed you an invitation to set a password"),
        ("declined", "You are welcome to apply again from"),
    ],
)
def test_a_decided_application_shows_the_decision_and_the_answers(insider, status, says):
    mine = make_application(tier=insider, status=status, reviewed_at=timezone.now())
    html = opened(mine).get(OWN_PAGE).content.decode()
    assert says in html
    assert f"<dd>{mine.role}</dd>" in html
    assert "Save my changes" not in html


def test_the_link_is_sent_to_an_address_that_applied_and_the_page_says_the_same_for_any(
    client, insider, run_tasks
):
    make_application(email="ada@example.com", tier=insider)
    known = client.post("/membership/application/link/", {"email": "ADA@example.com"})
    unknown = client.post("/membership/application/link/", {"email": "nobody@example.com"})

    assert known["Location"] == unknown["Location"] == "/membership/application/link/sent/"
    run_tasks()
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    assert opened_by(emailed_link("application")).get(OWN_PAGE).status_code == 200
    sent = client.get(known["Location"]).content.decode()
    assert "If that address has applied to The Ledger, we have emailed it a link" in sent


def test_asking_for_the_link_does_the_same_work_for_any_address(insider, run_tasks):
    """Whether an address applied is decided by the worker: the request runs the same
    statements for every address, so its time tells nothing either."""
    make_application(email="ada@example.com", tier=insider)
    statements = {}
    for address in ("ada@example.com", "nobody@example.com"):
        with CaptureQueriesContext(connection) as queries:
            response = Client().post("/membership/application/link/", {"email": address})
        assert response.status_code == 302
        statements[address] = [re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"]) for q in queries]

    assert statements["ada@example.com"] == statements["nobody@example.com"]
    assert not any("members_application" in sql for sql in statements["ada@example.com"])
    assert mail.outbox == []
    run_tasks()
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]


def opened_by(path: str) -> Client:
    client = Client()
    assert client.get(path)["Location"] == OWN_PAGE
    return client


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("", "Tell us the email address you applied with."),
        ("ada", "Enter an email address like name@example.com."),
    ],
)
def test_asking_for_the_link_with_a_bad_address_says_why(client, given, message):
    response = client.post("/membership/application/link/", {"email": given})
    assert response.status_code == 200
    assert response.context["form"].errors == {"email": [message]}


def test_asking_for_the_link_too_often_is_limited(client, insider, settings):
    settings.APPLICATION_EMAIL_RATE_LIMIT = 2
    statuses = [
        Client(REMOTE_ADDR=f"10.3.0.{n}")
        .post("/membership/application/link/", {"email": "ada@example.com"})
        .status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_changing_answers_needs_the_csrf_token(insider):
    mine = make_application(tier=insider, role="Analyst")
    browser = Client(enforce_csrf_checks=True)
    browser.get(links.application_url(mine))
    assert browser.post(OWN_PAGE, changes(mine, role="Director")).status_code == 403


def test_someone_who_became_a_member_before_confirming_is_told_to_log_in(client, insider, settings):
    submission = make_submission(email="ada@example.com", tier=insider)
    make_member(email="ada@example.com")
    response = client.post(links.confirmation_url(submission).removeprefix(settings.SITE_URL))
    assert "<h1>You are already a member</h1>" in response.content.decode()
    assert not Application.objects.exists()


def test_staff_see_the_addresses_earlier_applications(staff_client, insider):
    earlier = make_application(email="ada@example.com", tier=insider, status="declined")
    Application.objects.update(created_at=timezone.now() - timedelta(days=200))
    now = make_application(email="ada@example.com", tier=insider)
    make_application(email="someone.else@example.com", tier=insider)

    page = staff_client.get(f"/admin/members/application/{now.pk}/change/").content.decode()

    assert f'<a href="/admin/members/application/{earlier.pk}/change/">' in page
    assert "· Declined · Insider</a>" in page
    assert page.count("· Insider</a>") == 1


def test_staff_correcting_an_address_store_it_canonical(staff_client, insider):
    application = make_application(email="ada@example.com", tier=insider)
    answers = {field: getattr(application, field) for field in Application.FIELDS}
    staff_client.post(
        f"/admin/members/application/{application.pk}/change/",
        {
            **answers,
            "tier": insider.pk,
            "email": " Ada.Lovelace@EXAMPLE.com",
            "review_notes": "",
            "events-TOTAL_FORMS": 0,
            "events-INITIAL_FORMS": 0,
            "emails-TOTAL_FORMS": 0,
            "emails-INITIAL_FORMS": 0,
        },
    )
    application.refresh_from_db()
    assert application.email == "ada.lovelace@example.com"


def test_a_logged_in_member_sees_their_own_applications_without_a_link(insider, staff_user):
    member = make_member(insider, email="ada@example.com")
    mine = make_application(email="ada@example.com", tier=insider)
    approve_application(mine, approved_by=staff_user)
    make_application(email="someone.else@example.com", tier=insider, full_name="Someone Else")
    browser = Client()
    browser.force_login(member)

    html = browser.get(OWN_PAGE).content.decode()

    assert "<h1>Your applications</h1>" in html
    assert "From ada@example.com, newest first." in html
    assert "<li><strong>Insider</strong>: approved. Applied on" in html
    assert html.count("<li><strong>") == 1  # nobody else's
    assert "Someone Else" not in html and "Email me the link" not in html


def test_a_logged_in_reader_who_never_applied_is_told_so(django_user_model):
    browser = Client()
    browser.force_login(django_user_model.objects.create_user("new@example.com", "a-long-pw"))
    html = browser.get(OWN_PAGE).content.decode()
    assert "You have not applied with this address." in html
    assert '<a href="/membership/">See the membership packages</a>' in html
