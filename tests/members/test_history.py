"""The record of every decision: what happened to an application and a membership, by
whom, shown read-only in the admin and exported with the applications."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from members.approvals import approve_application, decline_application, resend_invitation
from members.models import Application, Event, Membership
from tests.factories import application_answers, make_application, make_tier
from tests.members.waitlist import apply_and_confirm, emailed_link

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-and-new-password-42"


def record(**about) -> list[tuple]:
    return [
        (e.what, e.actor, e.staff.email if e.staff else None, e.detail)
        for e in Event.objects.filter(**about)
    ]


def test_an_application_and_its_membership_from_start_to_renewal(
    staff_user, staff_client, run_tasks
):
    reader, insider = make_tier(name="Reader"), make_tier(name="Insider")
    applicant = Client()
    apply_and_confirm(applicant, application_answers(reader))
    changed_mind = {**application_answers(insider), "role": "Director"}
    applicant.post("/membership/application/", changed_mind)
    application = Application.objects.get()

    approve_application(application, approved_by=staff_user)
    run_tasks()
    form_url = applicant.get(emailed_link("welcome")).url
    applicant.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    membership = Membership.objects.get()
    change = f"/admin/members/membership/{membership.pk}/change/"
    for status in ("active", "ended"):
        staff_client.post(
            change,
            {
                "user": membership.user.pk,
                "tier": reader.pk,
                "status": status,
                "started_at_0": "2026-01-01",
                "started_at_1": "00:00:00",
            },
        )
    apply_and_confirm(Client(), application_answers(insider))  # lapsed: apply again
    again = Application.objects.exclude(pk=application.pk).get()
    approve_application(again, approved_by=staff_user)

    staff = staff_user.email
    assert record(application=application) == [
        ("applied", "applicant", None, ""),
        ("changed", "applicant", None, "role, tier"),
        ("approved", "staff", staff, ""),
        ("membership_started", "staff", staff, "Insider"),
        ("invited", "system", None, ""),
        ("invitation_used", "applicant", None, ""),
    ]
    assert record(application=None, user=membership.user) == [
        ("tier_changed", "staff", staff, "Insider → Reader"),
        ("membership_ended", "staff", staff, ""),
    ]  # fmt: skip
    assert record(application=again) == [
        ("applied", "applicant", None, ""),
        ("approved", "staff", staff, ""),
        ("membership_renewed", "staff", staff, "Insider"),
    ]


def test_a_withdrawal_is_recorded_as_the_applicants(client):
    apply_and_confirm(client, application_answers(make_tier()))
    client.post("/membership/application/withdraw/")
    assert record() == [
        ("applied", "applicant", None, ""),
        ("withdrawn", "applicant", None, ""),
    ]


def test_declines_and_resends_say_who_and_how(staff_user):
    told, quiet, invited = (make_application() for _ in range(3))
    decline_application(told, declined_by=staff_user, notify=True)
    decline_application(quiet, declined_by=staff_user, notify=False)
    approve_application(invited, approved_by=staff_user)
    resend_invitation(invited, resent_by=staff_user)

    assert record(application=told) == [("declined", "staff", staff_user.email, "told by email")]
    assert record(application=quiet) == [("declined", "staff", staff_user.email, "not told")]
    assert record(application=invited)[-1] == (
        "invitation_resent",
        "staff",
        staff_user.email,
        "",
    )


def test_staff_read_the_history_and_nobody_edits_it(staff_client, staff_user):
    application = make_application(email="ada@example.com")
    decline_application(application, declined_by=staff_user, notify=False)

    page = staff_client.get(f"/admin/members/application/{application.pk}/change/")
    html = page.content.decode()
    assert "History" in html and "Declined" in html and "not told" in html
    formset = page.context["inline_admin_formsets"][0]
    assert formset.opts.model is Event
    assert not formset.has_add_permission
    assert not formset.has_change_permission
    assert not formset.has_delete_permission
    assert staff_client.get("/admin/members/event/").status_code == 404


def test_the_csv_export_carries_each_applications_history(staff_client, staff_user):
    application = make_application(email="ada@example.com")
    decline_application(application, declined_by=staff_user, notify=True)
    Event.objects.update(at=timezone.now().replace(year=2026, month=11, day=1, hour=9, minute=30))

    response = staff_client.post(
        "/admin/members/application/",
        {"action": "export_csv", "_selected_action": [application.pk]},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][8] == f"2026-11-01 09:30 Declined (told by email), by {staff_user.email}"


def test_a_membership_ending_on_a_date_is_recorded_with_the_date(staff_client, staff_user):
    approve_application(make_application(), approved_by=staff_user)
    membership = Membership.objects.get()
    ends = (timezone.now() + timedelta(days=30)).date()
    staff_client.post(
        f"/admin/members/membership/{membership.pk}/change/",
        {"user": membership.user.pk, "tier": membership.tier.pk, "status": "active",
         "started_at_0": "2026-01-01", "started_at_1": "00:00:00",
         "ends_at_0": ends.isoformat(), "ends_at_1": "00:00:00"},
    )  # fmt: skip
    assert record(application=None, user=membership.user) == [
        ("ends_changed", "staff", staff_user.email, ends.isoformat())
    ]
