"""Journey 2: from the packages page to reading as a member, through a staff approval."""

import pytest
from playwright.sync_api import Browser, Page, expect

from members.models import Tier
from tests.e2e.conftest import PHONE, Watcher, latest_mail_link, tab_through

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a sturdy passphrase 42"
FIELDS = ["full_name", "email", "organisation", "role", "link", "tier", "reason", "heard_from",
          "consent", "submit"]  # fmt: skip


def test_an_applicant_becomes_a_member(
    site, page: Page, browser: Browser, watch, django_user_model, settings
):
    django_user_model.objects.create_superuser("editor@example.com", "editor-password-1")
    applicant = watch("applicant")

    page.goto(site + "/membership/")
    applicant.check("packages")
    page.get_by_role("link", name="Apply for Insider").click()
    expect(page.locator("select[name=tier]")).to_have_value(
        page.locator("select[name=tier] option", has_text="Insider").get_attribute("value")
    )
    tab_through(page, FIELDS)

    page.fill("input[name=full_name]", "Grace Hopper")
    page.fill("input[name=email]", "not-an-email")
    page.fill("textarea[name=reason]", "Too short")
    page.get_by_role("button", name="Send my application").click()
    expect(page.locator(".form__summary")).to_contain_text("Please check the answers marked below.")
    expect(page.locator("input[name=full_name]")).to_have_value("Grace Hopper")
    for message in [
        "Enter an email address like name@example.com.",
        "Tell us where you work, or “Independent”.",
        "Tell us a little more: at least 20 characters.",
        "We need your agreement to contact you about your application.",
    ]:
        expect(page.locator(".errorlist", has_text=message)).to_be_visible()
    applicant.check("application-errors")

    page.fill("input[name=email]", "grace@example.com")
    page.fill("input[name=organisation]", "US Navy")
    page.fill("input[name=role]", "Rear admiral")
    page.fill("textarea[name=reason]", "Compilers, crypto policy and good long essays.")
    page.select_option("select[name=heard_from]", "friend")
    page.check("input[name=consent]")
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for applying")
    applicant.check("thanks")

    staff_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    staff = Watcher(staff_page, "staff")
    staff_page.goto(site + "/admin/")
    staff.check("admin-login")
    staff_page.fill("input[name=login]", "editor@example.com")
    staff_page.fill("input[name=password]", "editor-password-1")
    staff_page.get_by_role("button", name="Log in").click()
    staff_page.get_by_role("link", name="Applications").first.click()
    expect(staff_page.locator("#content h1")).to_have_text("Applications: 1 pending")
    staff.check("admin-applications")
    row = staff_page.locator("#result_list tr", has_text="grace@example.com")
    row.locator("input[name=_selected_action]").check()
    staff_page.select_option("select[name=action]", "approve")
    staff_page.get_by_title("Run the selected action").click()
    staff.check("admin-approve")
    staff_page.get_by_role("button", name="Approve and send invitations").click()
    expect(staff_page.locator(".messagelist")).to_contain_text("Approved and invited: 1.")
    staff.check("admin-approved")

    staff_page.goto(site + "/admin/outbox/email/?kind=invitation")
    expect(staff_page.locator("#result_list")).to_contain_text("grace@example.com")
    staff.check("admin-emails")

    invitation = latest_mail_link(
        settings.EMAIL_FILE_PATH, site.replace(".", r"\.") + r"/membership/welcome/\S+/"
    )
    page.goto(invitation)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set your password")
    tab_through(page, ["new_password1", "new_password2", "submit"])
    applicant.check("set-password")
    page.fill("input[name=new_password1]", PASSWORD)
    page.fill("input[name=new_password2]", PASSWORD)
    page.get_by_role("button", name="Set password and start reading").click()
    expect(page.locator(".message")).to_contain_text("Welcome to The Ledger")
    applicant.check("welcome")

    page.goto(site + "/articles/sec-defi-crypto-innovation-abroad/")
    expect(page.locator(".post__body")).to_contain_text("Could Exchanges Just")
    expect(page.locator(".post__body")).to_contain_text("there is always plenty of room elsewhere")
    expect(page.locator("section.gate")).to_have_count(0)
    applicant.check("member-post")

    page.get_by_role("link", name="Account").click()
    expect(page.locator("#membership-heading")).to_have_text("Insider membership")
    applicant.check("account")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    page.get_by_role("link", name="Log in").click()
    applicant.check("login")
    page.fill("input[name=login]", "grace@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Account")).to_be_visible()
    applicant.check("logged-in-again")


def test_the_application_form_works_on_a_phone(site, page: Page, watch):
    phone = watch("applicant-phone", PHONE)
    page.goto(site + "/membership/apply/?tier=reader")
    page.get_by_role("button", name="Send my application").click()
    expect(page.locator(".form__summary")).to_be_visible()
    phone.check("application-errors")


def test_a_full_package_says_waitlist_only_on_a_phone(site, page: Page, watch):
    Tier.objects.filter(slug="insider").update(capacity=0)
    phone = watch("applicant-phone", PHONE)
    page.goto(site + "/membership/")
    insider = page.locator("section.tier", has_text="Insider")
    expect(insider.locator(".tier__waitlist")).to_contain_text("Waitlist only")
    expect(page.locator(".tier__waitlist")).to_have_count(1)
    phone.check("packages-waitlist-only")
