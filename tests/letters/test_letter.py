"""Sending a post by email: who gets it, what each gets (the gate decides), the headers
mailbox providers ask for, one-click unsubscribe, and never twice."""

import re
from email import message_from_string

import pytest
from django.core import mail
from django.test import Client

from articles.models import Article
from letters.models import Delivery, Send
from letters.sending import send_post
from members.models import Membership
from outbox.models import Email
from tests.factories import make_article, make_contributor, make_member, make_tier

pytestmark = pytest.mark.django_db
SECRET = "Zanzibarquux"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://news.example.com"
    settings.PUBLICATION_NAME = "The Ledger"
    settings.DEFAULT_FROM_EMAIL = "The Ledger <editors@example.com>"
    settings.EMAIL_REPLY_TO = "The Ledger <letters@example.com>"


@pytest.fixture
def tiers():
    return {
        name: make_tier(name=name, slug=name.lower(), rank=rank)
        for name, rank in [("Reader", 1), ("Insider", 2), ("Patron", 3)]
    }


@pytest.fixture
def patron_post(tiers):
    writer = make_contributor(name="Pat Writer", role_line="Policy editor")
    return make_article(
        title="The patron post",
        body=(
            "A free opening paragraph.\n\nA second free one.\n\n<!--members-only-->\n\n"
            f"The hidden truth is {SECRET}.\n\nAnd more {SECRET}."
        ),
        visibility=Article.Visibility.TIER,
        minimum_tier=tiers["Patron"],
        contributors=[writer],
        pull_quotes=[{"text": "A line worth quoting", "attribution": "Pat", "position": 1}],
    )


def letters_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def test_each_member_gets_what_the_gate_gives_them(tiers, patron_post, staff_user, run_tasks):
    for name, tier in tiers.items():
        make_member(tier, email=f"{name.lower()}@example.com")
    make_member(tiers["Patron"], email="lapsed@example.com", status=Membership.Status.ENDED)
    quiet = make_member(tiers["Patron"], email="quiet@example.com")
    quiet.receives_letter = False
    quiet.save()

    send_post(patron_post, audience=Send.Audience.ALL, tier=None, sent_by=staff_user)
    run_tasks()

    assert sorted(m.to[0] for m in mail.outbox) == [
        "insider@example.com",
        "patron@example.com",
        "reader@example.com",
    ]
    (whole,) = letters_to("patron@example.com")
    html = whole.alternatives[0][0]
    assert SECRET in whole.body and SECRET in html
    assert "A line worth quoting" in html
    for name in ("Reader", "Insider"):
        (gated,) = letters_to(f"{name.lower()}@example.com")
        gated_html = gated.alternatives[0][0]
        assert SECRET not in gated.body + gated_html
        assert "A free opening paragraph." in gated_html
        assert "This post is for Patron members." in gated_html
        assert (
            f"This post is for Patron members. Your {name} membership does not include it: "
            "the Patron package and those above it do. See the membership packages: "
            "https://news.example.com/membership/\n"
        ) in gated.body
        assert "https://news.example.com/membership/" in gated_html
        assert "https://news.example.com/articles/" in gated_html
    assert Delivery.objects.filter(state="sent").count() == 3


def test_by_default_it_goes_to_the_members_whose_package_includes_it(
    tiers, patron_post, staff_user, run_tasks
):
    for name, tier in tiers.items():
        make_member(tier, email=f"{name.lower()}@example.com")
    send_post(patron_post, audience=Send.Audience.INCLUDED, tier=None, sent_by=staff_user)
    run_tasks()
    assert [m.to for m in mail.outbox] == [["patron@example.com"]]


def test_the_letter_carries_the_headers_mailbox_providers_ask_for(
    tiers, patron_post, staff_user, run_tasks
):
    member = make_member(tiers["Patron"], email="ada@example.com")
    send_post(patron_post, audience=Send.Audience.INCLUDED, tier=None, sent_by=staff_user)
    run_tasks()
    (letter,) = mail.outbox
    headers = message_from_string(letter.message().as_string())
    assert headers["From"] == "The Ledger <editors@example.com>"
    assert headers["Reply-To"] == "The Ledger <letters@example.com>"
    assert headers["Subject"] == "The patron post"
    assert headers["List-Id"] == "The Ledger <letter.news.example.com>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    listed = letter.extra_headers["List-Unsubscribe"]
    unsubscribe = re.fullmatch(r"<(https://news\.example\.com/letter/unsubscribe/\S+/)>", listed)
    assert unsubscribe and unsubscribe[1] in letter.body
    assert " ".join(headers["List-Unsubscribe"].split()) == listed
    email = Email.objects.get(delivery__user=member)
    assert headers["Message-ID"] == email.message_id_header


def test_a_provider_unsubscribes_with_one_post_and_no_token(
    tiers, patron_post, staff_user, run_tasks
):
    member = make_member(tiers["Patron"], email="ada@example.com")
    send_post(patron_post, audience=Send.Audience.INCLUDED, tier=None, sent_by=staff_user)
    run_tasks()
    url = re.search(r"<(\S+)>", mail.outbox[0].extra_headers["List-Unsubscribe"])[1]
    path = url.removeprefix("https://news.example.com")
    provider = Client(enforce_csrf_checks=True)

    for _ in range(2):  # idempotent
        response = provider.post(
            path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
        member.refresh_from_db()
        assert member.receives_letter is False


def test_the_unsubscribe_page_asks_with_one_button_and_shows_a_way_back(
    tiers, patron_post, staff_user, run_tasks
):
    member = make_member(tiers["Patron"], email="ada@example.com")
    send_post(patron_post, audience=Send.Audience.INCLUDED, tier=None, sent_by=staff_user)
    run_tasks()
    path = re.search(r"https://news\.example\.com(/letter/unsubscribe/\S+/)", mail.outbox[0].body)[
        1
    ]
    reader = Client(enforce_csrf_checks=True)

    page = reader.get(path).content.decode()
    assert "<h1>Unsubscribe from the letter?</h1>" in page
    member.refresh_from_db()
    assert member.receives_letter is True  # a link scanner's visit changes nothing

    done = reader.post(path).content.decode()
    assert "<h1>You are unsubscribed</h1>" in done
    assert 'href="/account/">Turn the letter back on</a>' in done
    member.refresh_from_db()
    assert member.receives_letter is False
    assert reader.get("/letter/unsubscribe/1:forged/").status_code == 404


def test_members_choose_on_their_account_page(tiers):
    member = make_member(tiers["Reader"], email="ada@example.com")
    client = Client()
    client.force_login(member)
    assert (
        'name="receives_letter" id="receives_letter" checked'
        in client.get("/account/").content.decode()
    )

    turned_off = client.post("/account/", {}, follow=True).content.decode()
    member.refresh_from_db()
    assert member.receives_letter is False
    assert "We will send you no more letters." in turned_off
    client.post("/account/", {"receives_letter": "on"})
    member.refresh_from_db()
    assert member.receives_letter is True


def test_sending_again_goes_only_to_members_who_have_not_had_it(
    tiers, patron_post, staff_user, run_tasks
):
    make_member(tiers["Patron"], email="first@example.com")
    send_post(patron_post, audience=Send.Audience.INCLUDED, tier=None, sent_by=staff_user)
    run_tasks()
    make_member(tiers["Patron"], email="new@example.com")

    send_post(patron_post, audience=Send.Audience.INCLUDED, tier=None, sent_by=staff_user)
    run_tasks()

    assert [m.to[0] for m in mail.outbox] == ["first@example.com", "new@example.com"]
    assert Delivery.objects.count() == 2


def test_a_member_who_unsubscribes_while_it_is_sent_gets_nothing_further(
    tiers, patron_post, staff_user, run_tasks
):
    from letters.sending import prepare

    leaving = make_member(tiers["Patron"], email="leaving@example.com")
    make_member(tiers["Patron"], email="staying@example.com")
    send = Send.objects.create(article=patron_post, subject=patron_post.title, sent_by=staff_user)
    prepare.call(send.pk)  # the deliveries are made and queued
    leaving.receives_letter = False
    leaving.save()

    run_tasks()

    assert [m.to for m in mail.outbox] == [["staying@example.com"]]
    delivery = Delivery.objects.get(user=leaving)
    assert (delivery.state, delivery.email.state) == ("unsubscribed", "cancelled")
