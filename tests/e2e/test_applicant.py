"""Journey 2: from the packages page to reading as a member, through a staff approval."""

import pytest
from playwright.sync_api import Browser, Page, expect

from members.models import Tier
from tests.e2e.conftest import PHONE, Watcher, latest_mail_link, tab_through
from tests.factories import application_answers, make_application, make_member

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a sturdy passphrase 42"
FIELDS = ["full_name", "email", "organisation", "role", "link", "tier", "reason", "heard_from",
          "consent", "submit"]  # fmt: skip
OWN_FIELDS = ["full_name", "organisation", "role", "link", "tier", "reason", "heard_from", "submit"]


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
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    applicant.check("check-inbox")

    mail_dir, here = settings.EMAIL_FILE_PATH, site.replace(".", r"\.")
    page.goto(latest_mail_link(mail_dir, here + r"/membership/confirm/\S+/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your application")
    applicant.check("confirm")
    page.get_by_role("button", name="Confirm my application").click()
    expect(page).to_have_url(site + "/membership/application/")
    expect(page.locator(".message")).to_contain_text("your application is confirmed and in line")
    expect(page.locator(".application-status__place")).to_have_text(
        "You are 1st in line for Insider."
    )
    tab_through(page, OWN_FIELDS)
    applicant.check("own-page")
    page.fill("input[name=role]", "")
    page.get_by_role("button", name="Save my changes").click()
    expect(page.locator(".errorlist", has_text="Tell us what you do there.")).to_be_visible()
    applicant.check("own-page-errors")
    page.fill("input[name=role]", "Rear admiral, retired")
    page.get_by_role("button", name="Save my changes").click()
    expect(page.locator(".message")).to_have_text("Your changes are saved.")
    expect(page.locator("input[name=role]")).to_have_value("Rear admiral, retired")

    staff_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    staff = Watcher(staff_page, "staff")
    staff_page.goto(site + "/admin/")
    staff.check("admin-login")
    staff_page.fill("input[name=login]", "editor@example.com")
    staff_page.fill("input[name=password]", "editor-password-1")
    staff_page.get_by_role("button", name="Log in").click()
    expect(staff_page.locator(".at-a-glance")).to_contain_text("1 waiting for Insider")
    staff.check("admin-index")
    staff_page.locator(".at-a-glance").get_by_role("link", name="1 waiting for Insider").click()
    expect(staff_page.locator("#result_list")).to_contain_text("Grace Hopper")
    staff_page.get_by_role("link", name="Applications").first.click()
    expect(staff_page.locator("#content h1")).to_have_text("Applications: 1 pending")
    staff.check("admin-applications")
    # At 1280 px with the sidebar open, the list fits: no column cut off or scrolled to.
    results = staff_page.locator("#changelist .results")
    assert results.evaluate("e => e.scrollWidth <= e.clientWidth")
    staff_page.get_by_role("link", name="Grace Hopper").click()
    expect(staff_page.locator(".object-tools")).to_contain_text("Decline with a note…")
    staff.check("admin-application")
    staff_page.get_by_role("link", name="Decline with a note…").click()
    expect(staff_page.locator("#content")).to_contain_text("1 application will be declined")
    expect(staff_page.locator("textarea[name=note]")).to_be_focused()
    staff.check("admin-decline")
    staff_page.get_by_role("link", name="Cancel").click()  # decided otherwise: admitted below
    staff_page.goto(site + "/admin/members/tier/")
    row = staff_page.locator("#result_list tr", has_text="Insider")
    row.locator("input[name=_selected_action]").check()
    staff_page.select_option("select[name=action]", "admit_next")
    staff_page.get_by_title("Run the selected action").click()
    expect(staff_page.locator("#content ol")).to_contain_text("Grace Hopper <grace@example.com>")
    staff.check("admin-admit-next")
    staff_page.get_by_role("button", name="Approve and send invitations").click()
    expect(staff_page.locator(".messagelist")).to_contain_text("Approved and invited: 1.")
    staff.check("admin-approved")

    staff_page.goto(site + "/admin/outbox/email/?kind=invitation")
    expect(staff_page.locator("#result_list")).to_contain_text("grace@example.com")
    staff.check("admin-emails")

    page.reload()
    expect(page.locator("#status-heading")).to_have_text("Approved")
    applicant.check("own-page-approved")

    invitation = latest_mail_link(mail_dir, here + r"/membership/welcome/\S+/")
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

    page.get_by_role("link", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log out")
    applicant.check("logout")
    logout = page.get_by_role("button", name="Log out")
    logout.focus()
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")  # by keyboard
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


def test_an_applicant_asks_for_their_link_and_withdraws_on_a_phone(
    site, page: Page, watch, settings
):
    make_application(email="ada@example.com", tier=Tier.objects.get(slug="reader"))
    phone = watch("applicant-phone", PHONE)
    phone.expect(410, "/membership/confirm/not-a-real-link/")
    page.goto(site + "/membership/confirm/not-a-real-link/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    phone.check("link-expired")
    page.goto(site + "/membership/application/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your application")
    tab_through(page, ["email", "submit"])
    phone.check("send-link")
    page.fill("input[name=email]", "ADA@example.com")
    page.get_by_role("button", name="Email me the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    phone.check("link-sent")

    here = site.replace(".", r"\.")
    page.goto(latest_mail_link(settings.EMAIL_FILE_PATH, here + r"/membership/application/\S+/"))
    expect(page).to_have_url(site + "/membership/application/")
    phone.check("own-page")
    page.get_by_role("link", name="Withdraw my application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw your application?")
    phone.check("withdraw")
    page.get_by_role("button", name="Withdraw my application").click()
    expect(page.locator("#status-heading")).to_have_text("Withdrawn")
    phone.check("own-page-withdrawn")

    # Someone else types ada's address into the form: her link shows their answers, and
    # says they are not the ones she gave.
    page.goto(site + "/membership/apply/")
    stranger = application_answers(Tier.objects.get(slug="reader"), full_name="Mallory Stranger")
    for field in ("full_name", "email", "organisation", "role", "reason"):
        page.fill(f"[name={field}]", stranger[field])
    page.select_option("select[name=heard_from]", "friend")
    page.check("input[name=consent]")
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    page.goto(latest_mail_link(settings.EMAIL_FILE_PATH, here + r"/membership/confirm/\S+/"))
    expect(page.get_by_role("note")).to_contain_text("not the ones you gave last time")
    expect(page.locator(".answers")).to_contain_text("Mallory Stranger")
    phone.check("confirm-differs")


def test_a_member_who_applies_is_sent_a_login_link(site, page: Page, watch, settings):
    make_member(email="ada@example.com", tier=Tier.objects.get(slug="reader"))
    applicant = watch("applicant")
    page.goto(site + "/membership/apply/")
    for field, value in application_answers(Tier.objects.get(slug="reader")).items():
        if field in ("full_name", "email", "organisation", "role", "reason"):
            page.fill(f"[name={field}]", value)
    page.select_option("select[name=heard_from]", "friend")
    page.check("input[name=consent]")
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")

    here = site.replace(".", r"\.")
    page.goto(latest_mail_link(settings.EMAIL_FILE_PATH, here + r"/membership/login/\S+/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    applicant.check("login-link")
    page.get_by_role("button", name="Log me in").click()
    expect(page.locator("#membership-heading")).to_have_text("Reader membership")
