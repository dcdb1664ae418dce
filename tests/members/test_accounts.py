import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from members.models import Membership
from tests.factories import make_member, make_tier

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-pw"  # the factories' member password


def test_member_logs_in_with_email_and_password_and_returns_to_next(client):
    make_member(email="ada@example.com")
    response = client.post(
        "/accounts/login/?next=/articles/some-post/",
        {"login": "ADA@example.com", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/articles/some-post/"


def test_login_ignores_a_next_that_leaves_the_site(client):
    make_member(email="ada@example.com")
    response = client.post(
        "/accounts/login/?next=https://evil.example/",
        {"login": "ada@example.com", "password": PASSWORD},
    )
    assert response["Location"] == "/"


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client):
    make_member(email="ada@example.com")
    response = client.post("/accounts/login/", {"login": "ada@example.com", "password": "nope"})
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in (
        response.content.decode()
    )


def test_member_logs_in_with_a_code_sent_by_email(client, run_tasks):
    make_member(email="ada@example.com")

    asked = client.post("/accounts/login/code/", {"email": "ada@example.com"})
    assert asked.status_code == 302
    run_tasks()
    code = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", mail.outbox[-1].body, re.M).group(1)
    confirmed = client.post(asked["Location"], {"code": code})

    assert confirmed.status_code == 302
    assert client.get("/account/").status_code == 200


def test_logout_is_a_post_and_ends_the_session(client):
    member = make_member()
    client.force_login(member)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/account/").status_code == 302


def test_the_header_links_to_a_page_that_asks_before_logging_out(client):
    client.force_login(make_member())
    page = client.get("/")
    html = page.content.decode()
    # Reading pages carry no CSRF token and set no CSRF cookie: the logout form is its own page.
    assert '<li><a href="/accounts/logout/">Log out</a></li>' in html
    assert "csrfmiddlewaretoken" not in html
    assert "csrftoken" not in page.cookies

    asked = client.get("/accounts/logout/")
    html = asked.content.decode()
    assert "<h1>Log out</h1>" in html
    assert '<form method="post" action="/accounts/logout/">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<button type="submit">Log out</button>' in html
    assert client.get("/account/").status_code == 200  # asking logs no one out

    client.post("/accounts/logout/")
    assert client.get("/account/").status_code == 302


def test_password_reset_sends_a_link(client, run_tasks):
    make_member(email="ada@example.com")
    response = client.post("/accounts/password/reset/", {"email": "ada@example.com"})
    assert response.status_code == 302
    run_tasks()
    assert "/accounts/password/reset/key/" in mail.outbox[-1].body


def test_signup_is_closed_and_points_to_the_waitlist(client):
    response = client.get("/accounts/signup/")
    html = response.content.decode()
    assert "<h1>Membership is by application</h1>" in html
    assert 'href="/membership/apply/"' in html
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html  # the site's own layout
    posted = client.post("/accounts/signup/", {"email": "x@example.com", "password1": "pw12345678"})
    assert "Membership is by application" in posted.content.decode()


def test_allauth_pages_use_the_sites_layout(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<a class="site-name" href="/">The Ledger</a>' in html
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert " ".join(title.split()) == "Log in · The Ledger"
    assert "Apply to join our Member Waitlist" in html
    assert "sign up" not in html


def test_account_page_shows_tier_since_until_and_what_it_includes(client):
    tier = make_tier(name="Insider", benefits="Briefings\nCalls", description="More depth.")
    member = make_member(tier, ends_at=timezone.now() + timedelta(days=30))
    client.force_login(member)

    html = client.get("/account/").content.decode()

    assert "Insider membership" in html
    assert "Member since" in html and ", until " in html
    assert "<li>Briefings</li><li>Calls</li>" in html
    assert 'href="/accounts/email/"' in html
    assert 'href="/accounts/password/change/"' in html


def test_account_page_reads_the_membership_loaded_with_the_reader(
    client, django_user_model, django_assert_num_queries
):
    client.force_login(make_member(make_tier(name="Insider")))
    # The session, the reader, a member's request to move if one waits, and the menus.
    with django_assert_num_queries(4):
        assert "Insider membership" in client.get("/account/").content.decode()
    client.force_login(django_user_model.objects.create_user("plain@example.com"))
    html = client.get("/account/").content.decode()
    assert 'You do not have a membership. <a href="/membership/">' in html


def test_account_page_tells_a_lapsed_member_it_ended(client):
    member = make_member(status=Membership.Status.ENDED)
    client.force_login(member)
    html = client.get("/account/").content.decode()
    assert 'Your membership ended. <a href="/membership/">See the packages</a>' in html


def test_account_page_sends_visitors_to_login(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/account/"


@pytest.mark.parametrize(
    "path",
    ["/accounts/email/", "/accounts/password/change/", "/accounts/password/reset/",
     "/accounts/logout/"],
)  # fmt: skip
def test_every_account_page_opens_in_the_sites_layout(client, path):
    client.force_login(make_member())
    response = client.get(path)
    assert response.status_code == 200
    assert '<a class="site-name" href="/">The Ledger</a>' in response.content.decode()


def test_changing_email_waits_for_the_new_address_to_be_verified(client, run_tasks):
    member = make_member(email="old@example.com")
    client.force_login(member)

    response = client.post("/accounts/email/", {"action_add": "", "email": "new@example.com"})
    run_tasks()

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == "old@example.com"
    assert mail.outbox[-1].to == ["new@example.com"]
    assert "/accounts/confirm-email/" in mail.outbox[-1].body


def test_repeated_failed_logins_are_rate_limited(client):
    make_member(email="ada@example.com")
    for _ in range(5):
        client.post("/accounts/login/", {"login": "ada@example.com", "password": "wrong"})

    response = client.post("/accounts/login/", {"login": "ada@example.com", "password": PASSWORD})

    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert client.get("/account/").status_code == 302


def test_password_reset_is_limited_per_account(client):
    make_member(email="ada@example.com")
    statuses = [
        client.post("/accounts/password/reset/", {"email": "ada@example.com"}).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429
    assert (
        "Too many attempts"
        in client.post("/accounts/password/reset/", {"email": "ada@example.com"}).content.decode()
    )


def test_login_codes_are_limited_per_account_whatever_the_address(run_tasks):
    make_member(email="ada@example.com")
    responses = [
        Client(REMOTE_ADDR=f"10.1.0.{n}").post(
            "/accounts/login/code/", {"email": "ada@example.com"}
        )
        for n in range(4)
    ]
    assert [r.status_code for r in responses] == [302, 302, 302, 200]
    assert responses[-1].context["form"].errors["email"] == [
        "Too many failed login attempts. Try again later."
    ]
    run_tasks()
    assert len(mail.outbox) == 3
