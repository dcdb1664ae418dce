"""allauth's pages, messages and emails in the site's voice: sentence case, "Log in",
the main button the main action, and an HTML version of the sign-in code email."""

import re

import pytest
from django.core import mail
from django.test import Client

from tests.factories import make_member
from tests.worker import run_due_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://news.example.com"
    settings.PUBLICATION_NAME = "The Ledger"


def test_logging_in_by_code_speaks_as_the_site_does():
    make_member(email="ada@example.com")
    reader = Client()
    asking = reader.get("/accounts/login/code/").content.decode()
    assert "<h1>Email me a sign-in code</h1>" in asking
    assert '<button type="submit">Email me a code</button>' in asking
    assert "Request Code" not in asking and "Sign In" not in asking

    asked = reader.post("/accounts/login/code/", {"email": "ada@example.com"}, follow=True)
    page = asked.content.decode()
    assert "<h1>Enter your sign-in code</h1>" in page
    assert "We have emailed a sign-in code to ada@example.com." in page
    assert '<button type="submit">Log in</button>' in page
    assert '<button type="submit" class="button--quiet">Cancel</button>' in page
    assert "Enter Sign-In Code" not in page

    run_due_tasks()
    (message,) = mail.outbox
    code = re.search(r"^([A-Z]{4}-[A-Z]{4})$", message.body, re.M)[1]
    assert message.subject == "Your sign-in code for The Ledger"  # its text: test_email_texts

    done = reader.post(asked.redirect_chain[-1][0], {"code": code}, follow=True)
    assert "You are logged in as ada@example.com." in done.content.decode()


def test_the_login_page_says_keep_me_logged_in():
    page = Client().get("/accounts/login/").content.decode()
    assert "Keep me logged in on this device." in page and "Remember Me" not in page


def test_logging_out_says_so_plainly():
    client = Client()
    client.force_login(make_member(email="ada@example.com"))
    done = client.post("/accounts/logout/", follow=True).content.decode()
    assert "You are logged out." in done


def test_resetting_a_password_speaks_as_the_site_does():
    make_member(email="ada@example.com")
    reader = Client()
    assert (
        "<h1>Forgotten your password?</h1>"
        in reader.get("/accounts/password/reset/").content.decode()
    )

    done = reader.post("/accounts/password/reset/", {"email": "ada@example.com"}, follow=True)
    assert "<h1>Check your inbox</h1>" in done.content.decode()
    run_due_tasks()
    link = re.search(
        r"https://news\.example\.com(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body
    )[1]

    form = reader.get(link, follow=True)
    assert "<h1>Choose a new password</h1>" in form.content.decode()
    new = "a brand new passphrase 77"
    changed = reader.post(
        form.redirect_chain[-1][0], {"password1": new, "password2": new}, follow=True
    )
    assert "<h1>Your password is changed</h1>" in changed.content.decode()
    used = reader.get(link, follow=True).content.decode()
    assert "<h1>This link no longer works</h1>" in used


def test_changing_a_password_speaks_as_the_site_does():
    member = make_member(email="ada@example.com")  # password "a-long-pw"
    client = Client()
    client.force_login(member)
    assert (
        "<h1>Change your password</h1>" in client.get("/accounts/password/change/").content.decode()
    )

    wrong = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": "not it",
            "password1": "x new passphrase 9",
            "password2": "x new passphrase 9",
        },
    )
    assert "Please type your current password." in wrong.content.decode()
    done = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": "a-long-pw",
            "password1": "x new passphrase 9",
            "password2": "x new passphrase 9",
        },
        follow=True,
    )
    assert "Your password is changed." in done.content.decode()
