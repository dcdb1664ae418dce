import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.approvals import approve_application
from members.models import Application, Membership
from outbox.models import Email
from tests.factories import make_application, make_member, make_tier

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/members/application/"


@pytest.fixture
def act(staff_client, run_tasks):
    """Take an admin action, then let the worker send the emails it queued."""

    def post(action: str, applications, **extra):
        data = {"action": action, "_selected_action": [a.pk for a in applications], **extra}
        response = staff_client.post(CHANGELIST, data, follow=True)
        run_tasks()
        return response

    return post


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_changelist_shows_pending_count_newest_first_and_filters(staff_client):
    older = make_application(full_name="Older Applicant")
    newer = make_application(full_name="Newer Applicant", organisation="Zeta Labs")
    make_application(status=Application.Status.DECLINED)

    response = staff_client.get(CHANGELIST)

    assert response.status_code == 200
    assert "Applications: 2 pending" in response.content.decode()
    rows = list(response.context["cl"].result_list)
    assert rows.index(newer) < rows.index(older)
    pending = staff_client.get(CHANGELIST, {"status__exact": "pending"}).context["cl"].result_list
    assert set(pending) == {older, newer}
    found = staff_client.get(CHANGELIST, {"q": "zeta"}).context["cl"].result_list
    assert list(found) == [newer]


def test_changelist_filters_by_period_without_reading_every_date(
    staff_client, django_assert_max_num_queries
):
    today = make_application(full_name="Applied Today")
    earlier = make_application(full_name="Applied Earlier")
    Application.objects.filter(pk=earlier.pk).update(created_at=timezone.now() - timedelta(days=40))
    with django_assert_max_num_queries(12) as captured:
        response = staff_client.get(CHANGELIST)
    assert "Past 7 days" in response.content.decode()
    assert not [q["sql"] for q in captured.captured_queries if "DISTINCT" in q["sql"]]
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    week = {"created_at__gte": str(start - timedelta(days=7))}
    week = staff_client.get(CHANGELIST, week).context["cl"]
    assert list(week.result_list) == [today]


@pytest.mark.parametrize("path", ["/admin/members/application/add/", "/admin/members/membership/",
                                  "/admin/members/membership/add/", "/admin/members/tier/",
                                  "/admin/members/tier/add/"])  # fmt: skip
def test_member_admin_pages_open(staff_client, path):
    make_member()
    assert staff_client.get(path).status_code == 200


def test_an_action_does_not_count_the_applications(staff_client):
    """The counts are for the list and its title, which an action's answer does not show:
    counting 1,000,000 applications was 110 ms of approving 500."""
    selected = {"action": "approve", "_selected_action": [make_application().pk]}
    with CaptureQueriesContext(connection) as queries:
        confirm_page = staff_client.post(CHANGELIST, selected)
    assert "Approve and send invitations" in confirm_page.content.decode()
    assert not [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]


def test_a_post_that_takes_no_action_still_answers_as_the_list_does(staff_client):
    make_application(full_name="Still Listed")
    nothing_chosen = staff_client.post(CHANGELIST, {"action": "approve", "index": "0"})
    assert nothing_chosen.status_code == 302
    followed = staff_client.get(nothing_chosen["Location"])
    assert messages_of(followed) == [
        "Items must be selected in order to perform actions on them. No items have been changed."
    ]
    listed = staff_client.post(CHANGELIST, {})
    assert listed.status_code == 200
    assert listed.context["cl"].result_count == 1
    assert "Still Listed" in listed.content.decode()


@pytest.mark.django_db(transaction=True)
def test_approve_action_asks_which_tier_then_approves_and_reports(staff_client, run_tasks):
    """With real commits: the action queues the invitations, the worker sends them."""
    asked = make_tier(name="Reader")
    first = make_application(tier=asked)
    second = make_application(tier=asked)
    selected = {"action": "approve", "_selected_action": [first.pk, second.pk]}

    confirm_page = staff_client.post(CHANGELIST, selected)
    assert "Approve and send invitations" in confirm_page.content.decode()
    assert not Membership.objects.exists()

    done = staff_client.post(CHANGELIST, {**selected, "confirm": "yes", "tier": ""}, follow=True)

    assert messages_of(done) == ["Approved and invited: 2."]
    assert Membership.objects.filter(tier=asked).count() == 2
    assert mail.outbox == []
    run_tasks()
    assert len(mail.outbox) == 2


def test_approve_action_with_another_tier_and_an_end_and_repeated_says_so(act):
    application = make_application()
    patron = make_tier(name="Patron")
    act("approve", [application], confirm="yes", tier=patron.pk, ends_on="2999-12-31")

    again = act("approve", [application], confirm="yes", tier="")

    assert messages_of(again) == ["Already done, nothing changed: 1."]
    membership = Membership.objects.get()
    assert membership.tier == patron
    assert timezone.localtime(membership.ends_at).date().isoformat() == "2999-12-31"
    assert len(mail.outbox) == 1


def test_approve_action_refuses_an_end_in_the_past(act):
    application = make_application()
    response = act(
        "approve",
        [application],
        confirm="yes",
        tier="",
        ends_on="2001-01-01",
    )
    assert response.context["form"].errors["ends_on"] == [
        "Choose a day after today, or leave it empty."
    ]
    assert not Membership.objects.exists()


def test_decline_and_resend_actions_report_what_they_did(act):
    quiet, told = make_application(), make_application()

    assert messages_of(act("decline", [quiet])) == ["Declined: 1."]
    assert messages_of(act("decline_with_email", [told], confirm="yes", notify="on")) == [
        "Declined and told: 1."
    ]
    assert len(mail.outbox) == 1
    assert messages_of(act("resend", [told])) == ["Not possible for their status: 1."]


def test_export_applications_as_csv_for_a_mailing_tool(staff_client):
    make_application(
        full_name="Ada Lovelace", email="ada@example.com", organisation="=HYPERLINK(1)"
    )
    response = staff_client.post(
        CHANGELIST,
        {
            "action": "export_csv",
            "_selected_action": list(Application.objects.values_list("pk", flat=True)),
        },
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="applications.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Email",
        "First Name",
        "Last Name",
        "Organisation",
        "Role",
        "Tier",
        "Status",
        "Applied",
        "History",
    ]
    assert rows[1][:4] == ["ada@example.com", "Ada", "Lovelace", "'=HYPERLINK(1)"]
    assert rows[1][8] == ""  # made here, not through the form: nothing has happened to it


@pytest.mark.parametrize(
    ("organisation", "exported"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Acme = good", "Acme = good"),
        ("", ""),
    ],
)
def test_csv_export_escapes_exactly_the_leading_characters_a_spreadsheet_runs(
    staff_client, organisation, exported
):
    make_application(email="ada@example.com", organisation=organisation, role="")
    response = staff_client.post(
        CHANGELIST,
        {
            "action": "export_csv",
            "_selected_action": list(Application.objects.values_list("pk", flat=True)),
        },
    )
    row = list(csv.reader(io.StringIO(response.content.decode(), newline="")))[1]
    assert row[3] == exported
    assert row[4] == ""  # an empty cell stays empty


def test_export_members_as_csv(staff_client):
    member = make_member(make_tier(name="Insider"), email="m@example.com")
    response = staff_client.post(
        "/admin/members/membership/",
        {"action": "export_csv", "_selected_action": [member.membership.pk]},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Email", "First Name", "Last Name", "Tier", "Status", "Member Since", "Ends"]
    assert rows[1][0] == "m@example.com" and rows[1][3] == "Insider" and rows[1][4] == "active"


def test_membership_is_edited_inline_on_the_user(staff_client):
    member = make_member(make_tier(name="Insider"))
    page = staff_client.get(f"/admin/members/user/{member.pk}/change/")
    assert page.status_code == 200
    assert 'name="membership-0-tier"' in page.content.decode()


def test_readers_get_nothing_from_admin(reader_client, client):
    assert reader_client.get("/admin/", follow=True).status_code == 403
    anonymous = client.get("/admin/members/application/", follow=True)
    assert anonymous.redirect_chain[-1][0].startswith("/accounts/login/?next=")


def queries_for(staff_client, action: str, applications, **extra) -> int:
    data = {"action": action, "_selected_action": [a.pk for a in applications], **extra}
    with CaptureQueriesContext(connection) as queries:
        assert staff_client.post(CHANGELIST, data).status_code == 302
    return len(queries)


@pytest.mark.parametrize(
    ("action", "extra"),
    [
        ("approve", {"confirm": "yes"}),
        ("decline_with_email", {"confirm": "yes", "notify": "on"}),
        ("resend", {}),
    ],
)
def test_an_action_on_many_applications_costs_no_more_queries_than_on_a_few(
    staff_client, staff_user, action, extra
):
    """It only decides and queues, in a fixed number of queries: the admin answers at once
    for hundreds (bench/email_bench.py times 500)."""
    few = [make_application() for _ in range(3)]
    many = [make_application() for _ in range(30)]
    if action == "resend":
        for application in few + many:
            approve_application(application, approved_by=staff_user)
    assert queries_for(staff_client, action, many, **extra) == queries_for(
        staff_client, action, few, **extra
    )
    assert Email.objects.filter(application__in=many).count() == 30 * (
        2 if action == "resend" else 1
    )


def test_the_list_reads_at_a_glance_and_the_waiting_are_in_line_order(staff_client):
    now = timezone.now()
    for n, name in enumerate(["First in line", "Second in line", "Third in line"]):
        application = make_application(
            full_name=name, organisation="Bench Ltd", reason="I want to read " + "more " * 30
        )
        Application.objects.filter(pk=application.pk).update(created_at=now - timedelta(days=3 - n))
    make_application(full_name="Declined earlier", status="declined")

    waiting = staff_client.get(CHANGELIST, {"status__exact": "pending"}).content.decode()
    names = re.findall(
        r'<th class="field-applicant"><a href="[^"]+"><strong>([^<]+)</strong>', waiting
    )
    assert names == ["First in line", "Second in line", "Third in line"]
    day = f"{timezone.localtime(now - timedelta(days=3)):%-d %b %Y}"
    assert f'<td class="field-applied">{day}</td>' in waiting
    assert "<strong>First in line</strong> · Bench Ltd<br>" in waiting
    assert '<td class="field-reason_start">I want to read more more more' in waiting
    assert (
        "more more more more more more more more more more more more more more more" not in waiting
    )

    everyone = staff_client.get(CHANGELIST).content.decode()
    names = re.findall(
        r'<th class="field-applicant"><a href="[^"]+"><strong>([^<]+)</strong>', everyone
    )
    assert names[0] == "Declined earlier"  # unfiltered: newest first, as before
