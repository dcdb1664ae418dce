"""From the packages page to reading as a member: website, inbox and a staff approval."""

import re

import pytest
from django.core import mail
from django.test import Client

from members.models import Application
from tests.factories import make_tier
from tests.members.waitlist import confirm, emailed_link

pytestmark = pytest.mark.django_db
PASSWORD = "a sturdy passphrase 42"


def test_an_applicant_becomes_a_member_and_logs_in_again(staff_client, run_tasks):
    make_tier(name="Reader", slug="reader", order=1)
    make_tier(name="Insider", slug="insider", order=2)
    applicant = Client()

    packages = applicant.get("/membership/").content.decode()
    apply_url = re.search(
        r'<a class="button" href="([^"]+)" aria-label="Apply for Insider"', packages
    )
    form = applicant.get(apply_url.group(1))
    insider = form.context["form"]["tier"].value()
    sent = applicant.post(
        "/membership/apply/",
        {
            "full_name": "Grace Hopper",
            "email": "grace@example.com",
            "organisation": "Navy",
            "role": "Rear admiral",
            "tier": insider,
            "reason": "Compilers, crypto policy and good essays.",
            "heard_from": "friend",
            "consent": "on",
        },
        follow=True,
    )
    run_tasks()
    assert "Check your inbox" in sent.content.decode()
    assert mail.outbox[0].to == ["grace@example.com"]
    own_page = confirm(applicant, "grace@example.com")
    page = applicant.get(own_page["Location"]).content.decode()
    assert "You are 1st in line for Insider." in page

    application = Application.objects.get(email="grace@example.com")
    staff_client.post(
        "/admin/members/application/",
        {"action": "approve", "_selected_action": [application.pk], "confirm": "yes"},
    )
    run_tasks()
    assert mail.outbox[-1].to == ["grace@example.com"]
    link = emailed_link("welcome")

    set_password = applicant.get(link, follow=True)
    arrived = applicant.post(
        set_password.redirect_chain[-1][0],
        {"new_password1": PASSWORD, "new_password2": PASSWORD},
        follow=True,
    )
    assert "Welcome to The Ledger" in arrived.content.decode()
    assert "Insider membership" in applicant.get("/account/").content.decode()

    applicant.post("/accounts/logout/")
    assert applicant.get("/account/").status_code == 302
    applicant.post("/accounts/login/", {"login": "grace@example.com", "password": PASSWORD})
    assert applicant.get("/account/").status_code == 200

    applicant.post("/accounts/logout/")
    asked = applicant.post("/accounts/login/code/", {"email": "grace@example.com"})
    run_tasks()
    code = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", mail.outbox[-1].body, re.M).group(1)
    applicant.post(asked["Location"], {"code": code})
    assert applicant.get("/account/").status_code == 200
