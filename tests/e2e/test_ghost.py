"""Journey 4: a Ghost site moved here: its old addresses, its page, its paywall, and the
members staff welcome."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PHONE, Watcher

pytestmark = pytest.mark.django_db(transaction=True)
EXPORTS = Path(__file__).parent.parent / "ghost" / "exports"


def test_a_ghost_site_after_its_import(
    site, page: Page, browser: Browser, watch, django_user_model
):
    call_command(
        "import_ghost",
        str(EXPORTS / "ghost5.json"),
        "--members",
        str(EXPORTS / "members5.csv"),
        stdout=io.StringIO(),
    )
    reader = watch("ghost-reader", PHONE)
    reader.expect(301, "/markets-and-rules/")
    page.goto(site + "/markets-and-rules/")
    expect(page).to_have_url(site + "/articles/markets-and-rules/")
    expect(page.locator(".post__body")).to_contain_text("A second free paragraph.")
    expect(page.locator(".post__body")).not_to_contain_text("Zanzibarquux")
    expect(page.locator("section.gate")).to_be_visible()
    expect(page.locator(".pull-quote")).to_contain_text("Markets move faster than rules.")
    reader.check("imported-post")
    page.goto(site + "/about/")
    expect(page.get_by_role("heading", level=1)).to_have_text("About us")
    reader.check("imported-page")

    django_user_model.objects.create_superuser("editor@example.com", "editor-password-1")
    staff_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    staff = Watcher(staff_page, "staff")
    staff_page.goto(site + "/admin/login/")
    staff_page.fill("input[name=login]", "editor@example.com")
    staff_page.fill("input[name=password]", "editor-password-1")
    staff_page.get_by_role("button", name="Log in").click()
    staff_page.goto(site + "/admin/ghost/importedmember/")
    staff_page.locator("#action-toggle").check()
    staff_page.select_option("select[name=action]", "send_welcome")
    staff_page.get_by_title("Run the selected action").click()
    expect(staff_page.locator("#content")).to_contain_text(
        "4 members will receive the welcome email"
    )
    staff.check("admin-welcome")
    staff_page.get_by_role("button", name="Send the welcome").click()
    expect(staff_page.locator(".messagelist")).to_contain_text("Welcome queued for 4 member(s).")
    expect(staff_page.locator("#result_list")).not_to_contain_text("—")  # each one welcomed
    staff.check("admin-imported-members")
