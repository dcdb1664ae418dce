"""Journey 3: a member of a lower tier meets the upgrade gate on a higher-tier post."""

import pytest
from playwright.sync_api import Page, expect

from articles.models import Article
from members.models import Tier
from tests.e2e.conftest import PHONE, tab_through
from tests.factories import make_article, make_member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("screen", "viewport"), [("phone", PHONE), ("desktop", None)])
def test_a_lower_tier_member_is_shown_the_way_up(site, page: Page, watch, screen, viewport):
    make_member(Tier.objects.get(slug="reader"), email="reader@example.com")
    make_article(
        slug="patron-briefing",
        title="A briefing for patrons",
        body="Open paragraph one.\n\nOpen paragraph two.\n\n<!--members-only-->\n\nPatron secret.",
        visibility=Article.Visibility.TIER,
        minimum_tier=Tier.objects.get(slug="patron"),
    )
    member = watch(f"upgrade-{screen}", viewport) if viewport else watch(f"upgrade-{screen}")

    page.goto(site + "/articles/patron-briefing/")
    page.locator("section.gate").get_by_role("link", name="Log in").click()
    member.check("login")
    tab_through(page, ["login", "password", "remember", "submit"])
    page.fill("input[name=login]", "reader@example.com")
    page.fill("input[name=password]", "a-long-pw")
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(site + "/articles/patron-briefing/")
    gate = page.locator("section.gate")
    expect(gate).to_contain_text("This post is for Patron members.")
    expect(gate).to_contain_text("Your Reader membership does not include it")
    expect(page.locator(".post__body")).to_contain_text("Open paragraph two.")
    expect(page.locator(".post__body")).not_to_contain_text("Patron secret.")
    member.check("gate")

    gate.get_by_role("link", name="membership packages").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Membership packages")
    expect(page.locator(".tier__yours")).to_have_count(1)
    expect(page.locator("#tier-reader").locator("xpath=..")).to_contain_text("Your package.")
    expect(page.get_by_text("Already a member?")).to_have_count(0)
    member.check("packages")

    page.goto(site + "/membership/application/")  # no link asked of a member
    expect(page.get_by_role("heading", level=1)).to_have_text("Your applications")
    member.check("my-applications")
