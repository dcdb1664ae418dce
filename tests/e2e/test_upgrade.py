"""Journey 3: a member of a lower tier meets the upgrade gate on a higher-tier post, asks
to move, is moved by staff and reads it; then leaves from their account page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from articles.models import Article
from members.models import Tier
from tests.e2e.conftest import PHONE, Watcher, tab_through
from tests.factories import make_article, make_member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("screen", "viewport"), [("phone", PHONE), ("desktop", None)])
def test_a_lower_tier_member_is_shown_the_way_up(
    site, page: Page, browser: Browser, watch, django_user_model, screen, viewport
):
    make_member(
        Tier.objects.get(slug="reader"),
        email="reader@example.com",
        ends_at=timezone.now() + timedelta(days=60),  # so leaving offers now or then
    )
    django_user_model.objects.create_superuser("editor@example.com", "editor-password-1")
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

    page.goto(site + "/articles/patron-briefing/")
    page.locator("section.gate").get_by_role("link", name="Ask to move to Patron").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Move to Patron")
    tab_through(page, ["note", "submit"])
    member.check("move")
    page.fill("textarea[name=note]", "For the briefings, please.")
    page.get_by_role("button", name="Ask to move to Patron").click()
    expect(page.locator(".message")).to_contain_text("Your request to move to Patron is in line.")
    expect(page.locator(".applications")).to_contain_text("To move from Reader to Patron")
    member.check("move-asked")

    staff_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    staff = Watcher(staff_page, f"upgrade-{screen}-staff")
    staff_page.goto(site + "/admin/")
    staff_page.fill("input[name=login]", "editor@example.com")
    staff_page.fill("input[name=password]", "editor-password-1")
    staff_page.get_by_role("button", name="Log in").click()
    staff_page.goto(site + "/admin/members/application/?asks=move")
    row = staff_page.locator("#result_list tr", has_text="Move from Reader")
    row.locator("input[name=_selected_action]").check()
    staff.check("applications")
    staff_page.select_option("select[name=action]", "approve")
    staff_page.get_by_title("Run the selected action").click()
    expect(staff_page.locator("#content ol")).to_contain_text("a Reader member, asked to move to")
    staff.check("approve")
    staff_page.get_by_role("button", name="Approve and send the emails").click()
    expect(staff_page.locator(".messagelist")).to_contain_text(
        "Moved to their new package and told: 1."
    )
    staff_page.context.close()

    page.goto(site + "/articles/patron-briefing/")
    expect(page.locator(".post__body")).to_contain_text("Patron secret.")
    expect(page.locator("section.gate")).to_have_count(0)
    member.check("moved-reads")

    page.get_by_role("link", name="Account").click()
    expect(page.locator("#membership-heading")).to_have_text("Patron membership")
    member.check("account")
    page.get_by_role("link", name="Leave", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leave your Patron membership?")
    member.check("leave")
    page.get_by_role("button", name="Leave my membership").click()
    expect(page.locator(".errorlist")).to_have_text("Choose when your membership should end.")
    member.check("leave-errors")
    page.get_by_label("Now: members' posts close to me today").check()
    page.get_by_role("button", name="Leave my membership").click()
    expect(page.locator(".message")).to_contain_text("Your membership has ended.")
    member.check("left")

    page.goto(site + "/articles/patron-briefing/")
    expect(page.locator("section.gate")).to_contain_text("Your membership has ended.")
    expect(page.locator(".post__body")).not_to_contain_text("Patron secret.")
