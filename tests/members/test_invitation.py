import re
import time

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from members.approvals import approve_application, resend_invitation
from tests.factories import make_application

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture
def invited(staff_user, run_tasks):
    application = make_application(email="ada@example.com", full_name="Ada Reader")
    approve_application(application, approved_by=staff_user)
    run_tasks()
    return application


def invitation_path(message) -> str:
    return re.search(r"http://127\.0\.0\.1:8000(/membership/welcome/\S+/)", message.body).group(1)


def test_the_link_lets_the_new_member_set_a_password_and_arrive_logged_in(client, invited):
    link = invitation_path(mail.outbox[-1])

    form_page = client.get(link, follow=True)
    assert form_page.redirect_chain[-1][0].endswith("/set-password/")  # token leaves the URL
    assert "Set your password" in form_page.content.decode()
    assert "ada@example.com" in form_page.content.decode()

    arrived = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": PASSWORD, "new_password2": PASSWORD},
        follow=True,
    )

    assert arrived.redirect_chain[-1][0] == "/account/"  # the application began on no post
    assert arrived.context["user"].email == "ada@example.com"
    assert "Welcome to The Ledger. Your membership is ready" in arrived.content.decode()
    user = get_user_model().objects.get(email="ada@example.com")
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.get(user=user).email == "ada@example.com"


def test_a_used_link_is_refused_with_a_clear_page(client, invited):
    link = invitation_path(mail.outbox[-1])
    form_url = client.get(link).url
    client.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    again = Client().get(link, follow=True)

    assert again.status_code == 200
    assert "This invitation link no longer works" in again.content.decode()
    assert "new_password1" not in again.content.decode()


def test_an_expired_link_is_refused(client, invited, settings):
    settings.INVITATION_MAX_AGE = 1
    time.sleep(2.1)
    response = client.get(invitation_path(mail.outbox[-1]), follow=True)
    assert "This invitation link no longer works" in response.content.decode()


def test_a_tampered_link_is_refused(client, invited):
    link = invitation_path(mail.outbox[-1])
    response = client.get(link.replace(":", "x:", 1), follow=True)
    assert "This invitation link no longer works" in response.content.decode()


def test_a_resent_invitation_works_too(client, invited, run_tasks):
    resend_invitation(invited)
    run_tasks()
    link = invitation_path(mail.outbox[-1])
    form_url = client.get(link).url
    response = client.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302


def test_only_the_newest_invitation_link_works(client, invited, run_tasks):
    first = invitation_path(mail.outbox[-1])
    resend_invitation(invited)
    run_tasks()
    newest = invitation_path(mail.outbox[-1])
    assert newest != first

    refused = Client().get(first, follow=True)
    assert "This invitation link no longer works" in refused.content.decode()
    form_url = client.get(newest).url
    response = client.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302


def test_a_weak_password_is_refused_with_the_reason(client, invited):
    form_url = client.get(invitation_path(mail.outbox[-1])).url
    response = client.post(form_url, {"new_password1": "12345", "new_password2": "12345"})
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"] == [
        "This password is too short. It must contain at least 8 characters.",
        "This password is too common.",
        "This password is entirely numeric.",
    ]


def test_the_invitation_page_sends_new_members_nowhere_but_their_account_page(client, invited):
    link = invitation_path(mail.outbox[-1]) + "?next=https://evil.example/"
    form_url = client.get(link).url
    response = client.post(
        form_url + "?next=https://evil.example/",
        {"new_password1": PASSWORD, "new_password2": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/account/"
