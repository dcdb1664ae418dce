"""The free list: subscribing with an address alone, confirmed by the mailbox as
applications are; the free letter, where the gate decides; leaving and coming back."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from articles.models import Article
from letters.links import unsubscribe_url
from letters.models import Send, SubscriptionRequest, WeeklyLetter
from letters.sending import send_post
from letters.weekly import schedule_next, send_now
from members.approvals import approve_application
from members.models import Membership, User
from tests.factories import make_application, make_article, make_member, make_tier
from tests.worker import run_due_tasks

pytestmark = pytest.mark.django_db
SITE = "https://news.example.com"
SECRET = "Zanzibarquux"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE
    settings.PUBLICATION_NAME = "The Ledger"
    settings.DEFAULT_FROM_EMAIL = "The Ledger <editors@example.com>"


@pytest.fixture
def insider():
    return make_tier(name="Insider", slug="insider", rank=2)


def subscribe(address: str, client: Client | None = None, **extra):
    client = client or Client(enforce_csrf_checks=True)
    return client.post("/letter/subscribe/", {"email": address, **extra})


def confirmation_path() -> str:
    run_due_tasks()
    (message,) = [m for m in mail.outbox if m.subject.startswith("Confirm your subscription")]
    mail.outbox.remove(message)
    return re.search(rf"{SITE}(/letter/confirm/\S+/)", message.body)[1]


def subscribed(address: str) -> User:
    subscribe(address)
    Client().post(confirmation_path())
    return User.objects.get(email=address)


def test_the_footer_and_the_front_page_offer_the_free_list_without_a_csrf_token():
    page = Client().get("/").content.decode()

    assert page.count('action="/letter/subscribe/"') == 2  # the front page's and the footer's
    assert 'id="subscribe-front-email"' in page and 'id="subscribe-footer-email"' in page
    assert "csrfmiddlewaretoken" not in page  # a page every visitor is given from the cache


def test_a_members_post_offers_it_beside_the_gate(insider):
    post = make_article(visibility=Article.Visibility.MEMBERS)
    page = Client().get(post.get_absolute_url()).content.decode()
    gate = page[page.index('<section class="members-only gate"') :]
    assert 'id="subscribe-gate-email"' in gate[: gate.index("</section>")]


def test_a_reader_subscribes_by_confirming_from_the_mailbox():
    response = subscribe("Ada@Example.com")
    assert response.status_code == 302 and response["Location"] == "/letter/subscribe/thanks/"
    assert "<h1>Check your inbox</h1>" in Client().get(response["Location"]).content.decode()
    assert not User.objects.exists()  # nothing until the mailbox says so

    path = confirmation_path()
    reader = Client(enforce_csrf_checks=True)
    page = reader.get(path)
    assert "<strong>ada@example.com</strong>" in page.content.decode()
    assert not User.objects.exists()  # a mail scanner following the link subscribes nobody

    reader.get(path)  # for its CSRF cookie
    done = reader.post(path, {"csrfmiddlewaretoken": reader.cookies["csrftoken"].value})
    assert "<h1>You are subscribed</h1>" in done.content.decode()
    ada = User.objects.get()
    assert (ada.email, ada.receives_letter, ada.has_usable_password()) == (
        "ada@example.com",
        True,
        False,
    )
    assert ada.subscribed_at is not None and not hasattr(ada, "membership")
    assert not SubscriptionRequest.objects.exists()

    again = Client().post(path)
    assert again.status_code == 410
    assert "<h1>This link no longer works</h1>" in again.content.decode()


def test_the_confirmation_email_says_exactly_this():
    subscribe("ada@example.com")
    run_due_tasks()
    (message,) = mail.outbox
    url = re.search(rf"{SITE}/letter/confirm/\S+/", message.body)[0]

    assert message.to == ["ada@example.com"]
    assert message.subject == "Confirm your subscription to The Ledger"
    assert message.body == (
        "Hello,\n\n"
        "Please confirm that you want the letter of The Ledger at this address. We send it "
        f"only once you do:\n{url}\n\n"
        "The link works once and for 48 hours. If you did not ask for it, ignore this email: "
        "nothing will be sent or kept.\n\n"
        "The Ledger\n"
    )
    html = message.alternatives[0][0]
    assert f'<a href="{url}">Confirm my subscription</a>' in html


def test_every_address_is_told_the_same_and_only_its_mailbox_learns_more(insider):
    make_member(insider, email="member@example.com")
    subscribed("subscriber@example.com")

    answers = [
        subscribe(a) for a in ["new@example.com", "member@example.com", "subscriber@example.com"]
    ]

    assert {(r.status_code, r["Location"]) for r in answers} == {(302, "/letter/subscribe/thanks/")}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Tell us the email address to send the letter to."),
        ("not-an-address", "Enter an email address like name@example.com."),
        ("a@example.com, b@example.com", "Enter one email address only."),
    ],
)
def test_a_bad_address_is_named_kept_on_the_page_and_nothing_is_sent(typed, message):
    response = subscribe(typed)

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'value="{typed}"' in page if typed else 'name="email"' in page
    run_due_tasks()
    assert mail.outbox == [] and not SubscriptionRequest.objects.exists()


def test_a_bot_filling_the_hidden_field_is_told_the_same_and_sent_nothing():
    response = subscribe("ada@example.com", website="https://spam.example")
    assert response["Location"] == "/letter/subscribe/thanks/"
    run_due_tasks()
    assert mail.outbox == []


def test_the_waitlists_rate_limits_hold(settings):
    settings.APPLICATION_EMAIL_RATE_LIMIT = 2
    for _ in range(2):
        assert subscribe("ada@example.com").status_code == 302
    too_many = subscribe("ada@example.com")
    assert too_many.status_code == 429 and int(too_many["Retry-After"]) > 0


def test_an_expired_link_subscribes_nobody(settings):
    subscribe("ada@example.com")
    path = confirmation_path()
    SubscriptionRequest.objects.update(created_at=timezone.now() - timedelta(days=3))
    subscribe("someone@example.com")  # purges what has expired
    assert Client().post(path).status_code == 410
    assert not User.objects.filter(email="ada@example.com").exists()


def test_a_member_confirming_keeps_one_account_with_the_letter_on(insider):
    member = make_member(insider, email="ada@example.com")
    User.objects.filter(pk=member.pk).update(receives_letter=False)

    subscribe("ADA@example.com")
    done = Client().post(confirmation_path()).content.decode()

    assert "as a member you receive every post your package includes" in done
    member.refresh_from_db()
    assert User.objects.count() == 1
    assert member.receives_letter is True and member.subscribed_at is not None


def test_a_subscriber_who_applies_and_is_approved_is_the_same_account(insider, staff_user):
    ada = subscribed("ada@example.com")
    User.objects.filter(pk=ada.pk).update(receives_letter=False)  # and chose no letter

    approve_application(
        make_application(email="ada@example.com", tier=insider), approved_by=staff_user
    )

    ada.refresh_from_db()
    assert User.objects.filter(email="ada@example.com").count() == 1
    assert ada.membership.tier == insider
    assert (ada.receives_letter, ada.subscribed_at is not None) == (False, True)


@pytest.fixture
def posts(insider):
    yesterday = timezone.now() - timedelta(days=1)
    public = make_article(
        title="A public essay", body="Everyone reads this whole.", publish_at=yesterday
    )
    members = make_article(
        title="The insider post",
        publish_at=yesterday,
        body=f"A free opening.\n\n<!--members-only-->\n\nThe hidden truth is {SECRET}.",
        visibility=Article.Visibility.TIER,
        minimum_tier=insider,
    )
    return public, members


def test_the_free_letter_gives_each_reader_what_the_gate_gives(posts, insider, staff_user):
    public, members_only = posts
    subscribed("ada@example.com")
    make_member(insider, email="member@example.com")
    make_member(make_tier(name="Reader", rank=1), email="reader@example.com")
    mail.outbox.clear()

    for post in posts:
        send_post(post, audience=Send.Audience.FREE, tier=None, sent_by=staff_user)
    run_due_tasks()

    def letter(address, post):
        (message,) = [m for m in mail.outbox if m.to == [address] and m.subject == post.title]
        return message.body + message.alternatives[0][0]

    assert "Everyone reads this whole." in letter("ada@example.com", public)
    free = letter("ada@example.com", members_only)
    assert "A free opening." in free and SECRET not in free
    assert (
        "This post is for Insider members. To keep reading it, apply to join our Member "
        f"Waitlist: {SITE}/membership/apply/" in free
    )
    assert SECRET in letter("member@example.com", members_only)
    assert SECRET not in letter("reader@example.com", members_only)


def test_members_only_audiences_leave_subscribers_out(posts, insider, staff_user):
    subscribed("ada@example.com")
    make_member(insider, email="member@example.com")
    mail.outbox.clear()

    for chosen in [Send.Audience.ALL, Send.Audience.INCLUDED]:
        send_post(posts[1], audience=chosen, tier=None, sent_by=staff_user)
    run_due_tasks()

    assert {m.to[0] for m in mail.outbox} == {"member@example.com"}


def test_a_subscriber_leaves_in_one_click_and_is_not_told_of_a_membership(posts, staff_user):
    subscribed("ada@example.com")
    send_post(posts[0], audience=Send.Audience.FREE, tier=None, sent_by=staff_user)
    run_due_tasks()
    (letter,) = mail.outbox
    path = re.search(
        r"<https://news\.example\.com(\S+)>", letter.extra_headers["List-Unsubscribe"]
    )[1]

    page = Client().get(path).content.decode()
    assert "We will stop emailing our letter to ada@example.com.</p>" in page
    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert User.objects.get(email="ada@example.com").receives_letter is False
    mail.outbox.clear()
    send_post(posts[1], audience=Send.Audience.FREE, tier=None, sent_by=staff_user)
    run_due_tasks()
    assert mail.outbox == []


def test_a_subscriber_switches_the_letter_on_their_account_page():
    ada = subscribed("ada@example.com")
    client = Client()
    client.force_login(ada)
    page = client.get("/account/").content.decode()
    assert 'name="receives_letter" id="receives_letter" checked' in page
    assert "Email me the free letter: our free posts whole" in page

    assert (
        "We will send you no more letters."
        in client.post("/account/", {}, follow=True).content.decode()
    )
    ada.refresh_from_db()
    assert ada.receives_letter is False
    client.post("/account/", {"receives_letter": "on"})
    ada.refresh_from_db()
    assert ada.receives_letter is True


def test_a_reader_with_an_account_joins_the_free_list_from_their_account_page(django_user_model):
    former = django_user_model.objects.create_user("former@example.com")
    client = Client()
    client.force_login(former)
    assert 'id="receives_letter" checked' not in client.get("/account/").content.decode()

    client.post("/account/", {"receives_letter": "on"})

    former.refresh_from_db()
    assert former.subscribed_at is not None
    assert User.objects.subscribers().filter(pk=former.pk).exists()


@pytest.mark.parametrize(
    ("to_subscribers", "reached"),
    [(False, {"member@example.com"}), (True, {"member@example.com", "ada@example.com"})],
)
def test_the_weekly_letter_reaches_subscribers_when_staff_choose(
    posts, insider, staff_user, to_subscribers, reached
):
    subscribed("ada@example.com")
    make_member(insider, email="member@example.com")
    issue = WeeklyLetter.objects.create(
        scheduled_for=timezone.now() + timedelta(hours=1), to_subscribers=to_subscribers
    )
    mail.outbox.clear()

    send_now(issue, sent_by=staff_user)
    run_due_tasks()

    assert {m.to[0] for m in mail.outbox} == reached
    free = [m.body for m in mail.outbox if m.to == ["ada@example.com"]]
    assert all(SECRET not in body and "The insider post" in body for body in free)


def test_the_next_weekly_issue_starts_with_the_last_ones_choice():
    WeeklyLetter.objects.create(
        scheduled_for=timezone.now() - timedelta(days=1), to_subscribers=True
    )
    assert schedule_next().to_subscribers is True


def test_membership_and_subscription_are_told_apart_on_the_unsubscribe_page(insider):
    member = make_member(insider, email="member@example.com")

    page = Client().get(unsubscribe_url(member).removeprefix(SITE)).content.decode()
    assert "Your membership is unchanged." in page
    Membership.objects.filter(user=member).update(status=Membership.Status.ENDED)
    page = Client().get(unsubscribe_url(member).removeprefix(SITE)).content.decode()
    assert "Your membership is unchanged." not in page


def test_a_subscriber_reaches_their_account_page_with_a_sign_in_code():
    subscribed("ada@example.com")
    reader = Client()

    asked = reader.post("/accounts/login/code/", {"email": "Ada@Example.com"})
    run_due_tasks()
    code = re.search(r"^([A-Z]{4}-[A-Z]{4})$", mail.outbox[-1].body, re.M)[1]
    reader.post(asked["Location"], {"code": code})

    page = reader.get("/account/").content.decode()
    assert 'name="receives_letter" id="receives_letter" checked' in page
    assert "You do not have a membership." in page
