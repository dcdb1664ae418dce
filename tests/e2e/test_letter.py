"""Journey 3: staff send the members-only post by email; a Patron and a Reader read the
letter in a real browser, at 600 px and on a phone, and one of them leaves the list."""

import email
import email.policy
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from articles.models import Article
from members.models import Tier
from tests.e2e.conftest import PHONE, Watcher
from tests.factories import make_member
from tests.outbox.smtp import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
POST = "sec-defi-crypto-innovation-abroad"


def letters_in(mail_dir: Path) -> dict[str, email.message.Message]:
    """The letters the worker wrote, by recipient."""
    found = {}
    for log in mail_dir.glob("*.log"):
        for raw in log.read_bytes().split(b"-" * 79):
            message = email.message_from_bytes(raw.strip(), policy=email.policy.default)
            if message["List-Unsubscribe"]:
                found[message["To"]] = message
    return found


def html_of(message: email.message.Message) -> str:
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/html"]
    return part.get_content()


def test_staff_send_a_post_and_members_read_the_letter(
    site, page: Page, browser: Browser, watch, django_user_model, settings, tmp_path
):
    patron, reader = Tier.objects.get(slug="patron"), Tier.objects.get(slug="reader")
    Article.objects.filter(slug=POST).update(visibility="tier", minimum_tier=patron)
    make_member(patron, email="patron@example.com")
    make_member(reader, email="reader@example.com")
    django_user_model.objects.create_superuser("editor@example.com", "editor-password-1")

    staff_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    staff = Watcher(staff_page, "staff")
    staff_page.goto(site + "/admin/login/")
    staff_page.fill("input[name=login]", "editor@example.com")
    staff_page.fill("input[name=password]", "editor-password-1")
    staff_page.get_by_role("button", name="Log in").click()
    post = Article.objects.get(slug=POST)
    staff_page.goto(site + f"/admin/articles/article/{post.pk}/change/")
    staff_page.get_by_role("link", name="Send by email…").click()
    staff_page.get_by_label("All active members").check()
    staff_page.get_by_role("button", name="Show the preview").click()
    expect(staff_page.locator("#content form")).to_contain_text("2 readers")
    frame = staff_page.frame_locator("iframe.letter-preview")
    expect(frame.locator("h1")).to_contain_text(post.title)
    staff.check("admin-send-by-email")
    staff_page.get_by_role("button", name="Send to 2 readers").click()
    expect(staff_page.locator(".messagelist")).to_contain_text("Sending to 2 readers.")
    staff.check("admin-send-progress")
    expect(staff_page.locator("#send-progress strong")).to_have_text("2 sent", timeout=30_000)
    staff_page.get_by_role("link", name="See each delivery").click()
    expect(staff_page.locator("#result_list")).to_contain_text("patron@example.com")
    staff.check("admin-deliveries")
    staff_page.goto(site + "/admin/letters/weeklyletter/")  # the worker queued the coming issue
    staff_page.locator("#result_list tbody th a").first.click()
    expect(staff_page.locator("#content h1")).to_contain_text("Change weekly letter")
    staff.check("admin-weekly-letter")

    wait_for(lambda: len(letters_in(settings.EMAIL_FILE_PATH)) == 2, timeout=30)
    letters = letters_in(settings.EMAIL_FILE_PATH)
    whole, gated = html_of(letters["patron@example.com"]), html_of(letters["reader@example.com"])
    assert "there is always plenty of room elsewhere" in whole
    assert "there is always plenty of room elsewhere" not in gated
    assert "This post is for Patron members." in gated

    for name, html in [("patron", whole), ("reader", gated)]:
        path = tmp_path / f"letter-{name}.html"
        path.write_text(html)
        for screen, viewport in [("600", {"width": 600, "height": 900}), ("phone", PHONE)]:
            letter = watch(f"letter-{name}-{screen}", viewport)
            page.goto(path.as_uri())
            expect(page.locator("h1")).to_contain_text(post.title)
            letter.check("email")

    unsubscribe = re.search(r"<(\S+)>", letters["reader@example.com"]["List-Unsubscribe"])[1]
    leaving = watch("letter-reader", PHONE)
    page.goto(unsubscribe)
    expect(page.get_by_role("heading", level=1)).to_have_text("Unsubscribe from the letter?")
    leaving.check("unsubscribe")
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    leaving.check("unsubscribed")
    assert not django_user_model.objects.get(email="reader@example.com").receives_letter
