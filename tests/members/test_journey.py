"""From the packages page to reading as a member: website, inbox and a staff approval."""

import re

import pytest
from django.core import mail
from django.test import Client

from members.models import Application
from tests.factories import make_tier

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
    assert "Thank you for applying" in sent.content.decode()
    assert mail.outbox[0].to == ["grace@example.com"]

    application = Application.objects.get(email="grace@example.com")
    staff_client.post(
        "/admin/members/application/",
        {"action": "approve", "_selected_action": [application.pk], "confirm": "yes"},
    )
    run_tasks()
    invitation = mail.outbox[-1]
    assert invitation.to == ["grace@example.com"]
    link = re.search(r"http://127\.0\.0\.1:8000(\S+)", invitation.body).group(1)

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
