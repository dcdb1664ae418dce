"""Staff send a post from its admin page: audience, count, preview, a test, the send,
its progress; and the weekly letter's issues."""

import pytest
from django.core import mail

from articles.models import Article
from letters.models import Delivery, Send, WeeklyLetter
from tests.factories import make_article, make_member, make_tier

pytestmark = pytest.mark.django_db
SECRET = "Quetzalwibble"


@pytest.fixture
def post():
    reader, patron = make_tier(name="Reader", rank=1), make_tier(name="Patron", rank=3)
    for n in range(3):
        make_member(patron, email=f"patron{n}@example.com")
    make_member(reader, email="reading@example.com")
    return make_article(
        title="The patron post",
        body=f"Free.\n\nFree too.\n\n<!--members-only-->\n\nThe secret is {SECRET}.",
        visibility=Article.Visibility.TIER,
        minimum_tier=patron,
    )


def page_of(post) -> str:
    return f"/admin/articles/article/{post.pk}/send/"


def test_the_post_page_links_to_send_by_email(staff_client, post):
    page = staff_client.get(f"/admin/articles/article/{post.pk}/change/").content.decode()
    assert f'<a href="{page_of(post)}">Send by email…</a>' in page


def test_the_page_counts_the_audience_and_previews_each_kind_of_reader(staff_client, post):
    page = staff_client.get(page_of(post)).content.decode()
    assert "<strong>3 readers</strong> in this audience" in page
    assert 'value="Send to 3 readers"' in page
    everyone = staff_client.get(page_of(post), {"audience": "all", "preview_as": "included"})
    assert "<strong>4 readers</strong>" in everyone.content.decode()

    whole = staff_client.get(page_of(post) + "preview/?as=included")
    gated = staff_client.get(page_of(post) + "preview/?as=not included")
    assert SECRET in whole.content.decode()
    assert SECRET not in gated.content.decode()
    assert "Your Reader membership does not include it" in gated.content.decode()
    assert "style-src 'unsafe-inline'" in gated["Content-Security-Policy"]
    assert "sandbox" in gated["Content-Security-Policy"]
    assert gated["X-Frame-Options"] == "SAMEORIGIN"


def test_a_send_posted_without_its_choices_answers_with_the_form(staff_client, post):
    page = staff_client.post(page_of(post), {"send": "1"})
    assert page.status_code == 200
    assert "This field is required." in page.content.decode()
    assert Send.objects.count() == 0


def test_a_test_goes_to_the_staff_member_only(staff_client, staff_user, post, run_tasks):
    staff_client.post(
        page_of(post), {"audience": "included", "preview_as": "not included", "test": "1"}
    )
    run_tasks()
    (test,) = mail.outbox
    assert test.to == [staff_user.email]
    assert test.subject == "[Test] The patron post"
    assert SECRET not in test.body
    assert not Send.objects.exists()


def test_sending_returns_at_once_and_the_worker_sends(staff_client, post, run_tasks):
    response = staff_client.post(
        page_of(post), {"audience": "included", "preview_as": "included", "send": "1"}
    )
    send = Send.objects.get()
    assert response["Location"] == f"/admin/letters/send/{send.pk}/change/"
    assert mail.outbox == [] and not Delivery.objects.exists()  # the worker makes them

    running = staff_client.get(response["Location"]).content.decode()
    assert 'data-running="true"' in running
    progress = f"/admin/letters/send/{send.pk}/progress/"
    assert staff_client.get(progress).json() == {"progress": "being prepared", "running": True}
    run_tasks()
    done = staff_client.get(response["Location"]).content.decode()
    assert "Deliveries: <strong>3 sent</strong>" in done
    assert 'data-running="false"' in done
    assert staff_client.get(progress).json() == {"progress": "3 sent", "running": False}
    assert len(mail.outbox) == 3
    listed = staff_client.get("/admin/letters/send/").content.decode()
    assert "3 sent" in listed


def test_sending_again_asks_first_and_goes_only_to_the_new(staff_client, post, run_tasks):
    data = {"audience": "included", "preview_as": "included", "send": "1"}
    staff_client.post(page_of(post), data)
    run_tasks()
    make_member(post.minimum_tier, email="new@example.com")

    asked = staff_client.post(page_of(post), data)
    assert asked.status_code == 200
    assert "This post has been sent before: tick this to send it again." in asked.content.decode()
    assert (
        "<strong>1 reader</strong> in this audience have not had it yet" in asked.content.decode()
    )
    staff_client.post(page_of(post), {**data, "again": "on"})
    run_tasks()
    assert [m.to[0] for m in mail.outbox][-1] == "new@example.com"
    assert len(mail.outbox) == 4


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"audience": "tier"}, "Choose the lowest package to send it to."),
        (
            {"audience": "everyone"},
            "Select a valid choice. everyone is not one of the available choices.",
        ),
    ],
)
def test_a_bad_choice_gets_a_message_and_sends_nothing(staff_client, post, data, error):
    response = staff_client.post(page_of(post), {"preview_as": "included", "send": "1", **data})
    assert error in response.content.decode()
    assert not Send.objects.exists()


def test_a_post_not_yet_public_is_not_sent(staff_client, post):
    Article.objects.filter(pk=post.pk).update(status=Article.Status.DRAFT)
    response = staff_client.post(
        page_of(post), {"audience": "included", "preview_as": "included", "send": "1"}
    )
    assert "Publish the post first: the letter links to it." in response.content.decode()
    assert not Send.objects.exists()


def test_readers_cannot_reach_the_send_page(reader_client, post):
    assert reader_client.get(page_of(post))["Location"].startswith("/admin/login/")
    assert reader_client.get(page_of(post) + "preview/")["Location"].startswith("/admin/login/")


def test_staff_preview_and_hold_the_weekly_letter(staff_client):
    letter = WeeklyLetter.objects.create(scheduled_for="2030-01-04T08:00Z", introduction="Hello")
    page = staff_client.get(f"/admin/letters/weeklyletter/{letter.pk}/change/").content.decode()
    assert "None yet: an issue with no new post is not sent." in page
    preview = staff_client.get(f"/admin/letters/weeklyletter/{letter.pk}/preview/")
    assert "Hello" in preview.content.decode()
    staff_client.post(
        f"/admin/letters/weeklyletter/{letter.pk}/change/", {"introduction": "Hi", "held": "on"}
    )
    letter.refresh_from_db()
    assert (letter.introduction, letter.held) == ("Hi", True)
