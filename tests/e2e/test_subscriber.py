"""Journey 4: a reader joins the free list from the footer, confirms from the mailbox,
receives a letter whose members-only post stops at the gate, and leaves in one click."""

from email import message_from_string, policy
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from articles.models import Article
from letters.models import Send
from letters.sending import send_post
from members.models import Tier, User
from tests.e2e.conftest import PHONE, Watcher, latest_mail_link
from tests.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "Zanzibarquux"


def letters_in(mail_dir: Path, subject: str) -> list[str]:
    """The decoded text of each letter the worker wrote with this subject."""
    found = []
    for file in mail_dir.glob("*.log"):
        for raw in file.read_text().split("\n" + "-" * 79 + "\n"):
            message = message_from_string(raw.strip(), policy=policy.default)
            if message["Subject"] == subject:
                found.append(
                    "".join(
                        part.get_content() for part in message.walk() if not part.is_multipart()
                    )
                )
    return found


@pytest.mark.parametrize(("screen", "viewport"), [("phone", PHONE), ("desktop", None)])
def test_a_reader_subscribes_reads_the_free_letter_and_leaves(
    site, page: Page, browser: Browser, watch, settings, screen, viewport
):
    reader = watch(f"subscriber-{screen}", viewport) if viewport else watch(f"subscriber-{screen}")
    mail_dir, here = settings.EMAIL_FILE_PATH, site.replace(".", r"\.")

    page.goto(site + "/letter/subscribe/")
    page.get_by_role("button", name="Subscribe").first.click()
    expect(page.locator(".errorlist")).to_have_text(
        "Tell us the email address to send the letter to."
    )
    reader.check("errors")

    page.goto(site + "/")
    # By keyboard alone: type the address, Tab to the button (visibly focused), Enter.
    page.locator("footer input[name=email]").focus()
    page.keyboard.type("Lin@Example.com")
    page.keyboard.press("Tab")
    focused = page.locator("footer form.subscribe button")
    expect(focused).to_be_focused()
    assert focused.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    reader.check("check-inbox")

    page.goto(latest_mail_link(mail_dir, here + r"/letter/confirm/\S+/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your subscription")
    expect(page.locator("main")).to_contain_text("lin@example.com")
    reader.check("confirm")
    page.get_by_role("button", name="Yes, send me the letter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are subscribed")
    reader.check("subscribed")
    assert User.objects.subscribers().filter(email="lin@example.com").exists()

    # Their account, by a sign-in code: the letter's switch is there.
    page.get_by_role("link", name="your account").click()
    page.get_by_role("link", name="Email me a sign-in code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email me a sign-in code")
    reader.check("request-code")
    page.locator("main input[name=email]").fill("lin@example.com")
    page.get_by_role("button", name="Email me a code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    reader.check("enter-code")
    code = latest_mail_link(mail_dir, r"\b[A-Z]{4}-[A-Z]{4}\b")
    page.fill("input[name=code]", code)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#receives_letter")).to_be_checked()
    reader.check("account")
    page.get_by_role("link", name="Log out").click()
    page.get_by_role("button", name="Log out").click()

    staff_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    staff = Watcher(staff_page, f"subscriber-{screen}-staff")
    User.objects.create_superuser(f"editor-{screen}@example.com", "editor-password-1")
    staff_page.goto(site + "/admin/")
    staff_page.fill("input[name=login]", f"editor-{screen}@example.com")
    staff_page.fill("input[name=password]", "editor-password-1")
    staff_page.get_by_role("button", name="Log in").click()
    staff_page.goto(site + "/admin/letters/subscriber/")
    expect(staff_page.locator(".subscriber-counts")).to_contain_text("1 receive the letter")
    expect(staff_page.locator("#result_list")).to_contain_text("lin@example.com")
    staff.check("subscribers")
    staff_page.context.close()

    post = make_article(
        title=f"An insider briefing for {screen}",
        body=f"Open paragraph one.\n\nOpen paragraph two.\n\n<!--members-only-->\n\n{SECRET}.",
        visibility=Article.Visibility.TIER,
        minimum_tier=Tier.objects.get(slug="insider"),
    )
    editor = User.objects.get(email=f"editor-{screen}@example.com")
    send_post(post, audience=Send.Audience.FREE, tier=None, sent_by=editor)
    unsubscribe = latest_mail_link(mail_dir, here + r"/letter/unsubscribe/[^\s>]+/")
    (letter,) = letters_in(mail_dir, post.title)
    assert "Open paragraph two." in letter and SECRET not in letter
    assert "This post is for Insider members." in letter

    page.goto(unsubscribe)
    expect(page.get_by_role("heading", level=1)).to_have_text("Unsubscribe from the letter?")
    reader.check("unsubscribe")
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    reader.check("unsubscribed")
    assert User.objects.get(email="lin@example.com").receives_letter is False
