"""Journey 1: a reader on a phone and on a desktop, up to the members-only gate."""

import pytest
from playwright.sync_api import Page, expect

from members.models import Tier
from tests.e2e.conftest import DESKTOP, PHONE, tab_through
from tests.factories import make_member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("screen", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_a_reader_browses_reads_and_meets_the_gate(site, page: Page, watch, screen, viewport):
    watcher = watch(f"reader-{screen}", viewport)

    page.goto(site + "/")
    expect(page.get_by_role("heading", name="Featured")).to_be_visible()
    tab_through(page, ["q", "submit"])
    watcher.check("front")

    page.get_by_role(
        "link", name="The Open Source AI Revolution: How History Repeats Itself"
    ).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The Open Source AI Revolution: How History Repeats Itself"
    )
    expect(page.locator(".byline__role")).to_have_text("Semiconductor Analyst")
    expect(page.locator(".pull-quote blockquote")).to_contain_text("global pool of developers")
    watcher.check("free-post")

    page.locator(".byline__name").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dylan Patel")
    watcher.check("contributor")

    page.goto(site + "/articles/open-source-ai-revolution/")
    page.locator(".kicker a", has_text="AI").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("AI")
    watcher.check("topic")

    feed = page.get_by_role("link", name="RSS feed")
    assert page.request.get(site + feed.get_attribute("href")).ok

    page.goto(site + "/")
    page.get_by_role(
        "link", name="The SEC’s DeFi moves could push crypto innovation abroad"
    ).click()
    gate = page.locator("section.gate")
    expect(gate).to_contain_text("This post is for members only.")
    expect(gate).to_contain_text(
        "To keep reading this post, apply to join our Member Waitlist. See the membership packages."
    )
    expect(gate).to_contain_text("Already a member? Log in")
    expect(page.locator(".post__body")).not_to_contain_text("Could Exchanges Just")
    watcher.check("gate")

    for name, heading in [
        ("apply to join our Member Waitlist", "Apply to join"),
        ("See the membership packages", "Membership packages"),
        ("Log in", "Log in"),
    ]:
        page.goto(site + "/articles/sec-defi-crypto-innovation-abroad/")
        page.locator("section.gate").get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert "next=/articles/sec-defi-crypto-innovation-abroad/" in page.url


def test_the_header_keeps_each_link_whole_on_a_narrow_phone_and_search_has_one_box(
    site, page: Page, watch
):
    make_member(Tier.objects.get(slug="reader"), email="reader@example.com")
    watcher = watch("header-360", {"width": 360, "height": 740})
    page.goto(site + "/accounts/login/")
    page.fill("input[name=login]", "reader@example.com")
    page.fill("input[name=password]", "a-long-pw")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Log out")).to_be_visible()

    links = page.locator(".site-nav a")
    expect(links).to_have_count(4)
    # An inline link broken over two lines has two boxes.
    assert links.evaluate_all("links => links.map(a => a.getClientRects().length)") == [1] * 4
    # Nothing in the header reaches past the screen's edge.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert (
        page.locator(".site-search button").evaluate("b => b.getBoundingClientRect().right")
        <= 360 - 16
    )
    watcher.check("front")

    page.goto(site + "/search/?q=open")
    expect(page.locator("input[type=search]")).to_have_count(1)
    watcher.check("search")


@pytest.mark.parametrize(("screen", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_a_reader_finds_topics_and_contributors_from_the_footer(
    site, page: Page, watch, screen, viewport
):
    watcher = watch(f"indexes-{screen}", viewport)
    page.goto(site + "/")
    page.locator("footer").get_by_role("link", name="Topics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Topics")
    watcher.check("topics")
    page.get_by_role("link", name="AI", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("AI")

    page.locator("footer").get_by_role("link", name="Contributors").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contributors")
    expect(page.locator(".index-list")).to_contain_text("Dylan Patel")
    watcher.check("contributors")


def test_a_member_changes_their_password_and_a_visitor_finds_the_reset(site, page: Page, watch):
    make_member(Tier.objects.get(slug="reader"), email="reader@example.com")
    watcher = watch("password")
    page.goto(site + "/accounts/password/reset/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgotten your password?")
    watcher.check("reset")

    page.goto(site + "/accounts/login/")
    page.fill("input[name=login]", "reader@example.com")
    page.fill("input[name=password]", "a-long-pw")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Account").click()
    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    tab_through(page, ["oldpassword", "password1", "password2", "submit"])
    watcher.check("change")
    page.fill("input[name=oldpassword]", "a-long-pw")
    page.fill("input[name=password1]", "x new passphrase 9")
    page.fill("input[name=password2]", "x new passphrase 9")
    page.get_by_role("button", name="Change my password").click()
    expect(page.locator(".messages")).to_contain_text("Your password is changed.")
    watcher.check("changed")
