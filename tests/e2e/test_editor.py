"""Journey: an editor at work. They decline an application with a note, write a post with
a picture in its body and a pull quote placed by its block, preview it as a visitor and
as members, publish it, link a new page from the footer, and see the dashboard count it."""

import pytest
from playwright.sync_api import Browser, expect

from members.models import Application, Tier
from tests.e2e.conftest import PHONE, Watcher, tab_through
from tests.factories import image_bytes, make_application

pytestmark = pytest.mark.django_db(transaction=True)

BODY = (
    "The first free paragraph, about harbours.\n\n"
    "The second free paragraph, about boats.\n\n"
    "![](picture:harbour)\n\n"
    "<!--members-only-->\n\n"
    "The paid paragraph, about tides and their tables.\n\n"
    "The last paragraph."
)
MENU_FIELDS = ["menu", "order", "label", "site_page", "page"]


def test_an_editor_reviews_writes_previews_publishes_and_links_a_page(
    site, browser: Browser, django_user_model
):
    django_user_model.objects.create_superuser("editor@example.com", "editor-password-1")
    applicant = make_application(
        tier=Tier.objects.get(slug="insider"), full_name="Ada Applicant", email="ada@example.com"
    )
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    editor = Watcher(page, "editor")

    page.goto(site + "/admin/")
    page.fill("input[name=login]", "editor@example.com")
    page.fill("input[name=password]", "editor-password-1")
    page.get_by_role("button", name="Log in").click()
    glance = page.locator(".at-a-glance")
    expect(glance).to_contain_text("1 waiting for Insider")
    expect(glance).to_contain_text("0 published in the last 7 days")

    # Decline, with a note, from the application's own page, after a confirmation page.
    glance.get_by_role("link", name="1 waiting for Insider").click()
    page.get_by_role("link", name="Ada Applicant").click()
    page.get_by_role("link", name="Decline with a note…").click()
    expect(page.locator("#content")).to_contain_text("1 application will be declined")
    page.fill("textarea[name=note]", "We are full this season; <do> apply again in spring.")
    editor.check("decline")
    page.get_by_role("button", name="Decline").click()
    expect(page.locator(".messagelist")).to_contain_text("Declined")
    applicant.refresh_from_db()
    assert applicant.status == Application.Status.DECLINED

    # Write a members-only post with a picture in its body.
    page.goto(site + "/admin/articles/article/add/")
    page.fill("input[name=title]", "Harbours at dusk")
    page.fill("textarea[name=dek]", "What the tide tables do not say.")
    page.fill("textarea[name=body]", BODY)
    page.select_option("select[name=visibility]", label="Members only")
    page.get_by_role("button", name="Add another Picture in the body").click()
    page.fill("input[name=body_pictures-0-name]", "harbour")
    page.set_input_files(
        "input[name=body_pictures-0-image]",
        {"name": "harbour.jpg", "mimeType": "image/jpeg", "buffer": image_bytes(1800, 1200)},
    )
    page.fill("input[name=body_pictures-0-alt]", "Boats moored in a harbour at dusk")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    expect(page.locator(".body-picture-thumbnail")).to_be_visible()

    # A pull quote, placed after a block chosen by its first words.
    page.get_by_role("button", name="Add another Pull quote").click()
    page.fill("textarea[name=pull_quotes-0-text]", "The tide keeps its own hours.")
    page.fill("input[name=pull_quotes-0-attribution]", "A harbour master")
    page.select_option(
        "select[name=pull_quotes-0-after_block]",
        label="Paragraph 2: “The second free paragraph, about boats.”",
    )
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    editor.check("post-change")

    # Preview what is typed, unsaved, as each kind of reader.
    page.fill("textarea[name=body]", BODY + "\n\nA sentence typed but not saved.")
    preview_button = page.get_by_role("button", name="Preview")
    preview_button.focus()
    assert preview_button.evaluate("b => getComputedStyle(b).outlineStyle") != "none"
    with page.context.expect_page() as opened:
        page.keyboard.press("Enter")  # by keyboard
    preview = opened.value
    preview.wait_for_load_state()
    previewer = Watcher(preview, "editor-preview")
    versions = preview.locator(".preview-version")
    expect(versions).to_have_count(3)
    visitor, member, excluded = versions.nth(0), versions.nth(1), versions.nth(2)
    expect(visitor.locator("h2").first).to_have_text("As a visitor")
    expect(visitor.locator(".post__body")).not_to_contain_text("tides")
    expect(visitor.locator(".gate")).to_contain_text("This post is for members only.")
    expect(member.locator(".preview-cut")).to_be_visible()
    expect(member.locator(".post__body")).to_contain_text("A sentence typed but not saved.")
    expect(excluded.locator(".post__body")).not_to_contain_text("tides")
    picture = visitor.locator(".post__body img")
    expect(picture).to_have_attribute("alt", "Boats moored in a harbour at dusk")
    assert loads(preview, picture)
    previewer.check("desktop")
    preview.set_viewport_size(PHONE)
    previewer.check("phone")
    preview.close()

    # Publish it; readers see the picture and the quote where they were put.
    page.select_option("select[name=status]", "published")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.goto(site + "/articles/harbours-at-dusk/")
    blocks = page.locator(".post__body > *")
    expect(blocks.nth(1)).to_have_text("The second free paragraph, about boats.")
    expect(blocks.nth(2)).to_have_class("pull-quote")
    shown = page.locator(".post__body img")
    expect(shown).to_have_attribute("sizes", "(min-width: 42rem) 42rem, 100vw")
    assert loads(page, shown)
    assert "1600w" in shown.get_attribute("srcset")
    editor.check("post")

    # A new page, linked from the footer's menu.
    page.goto(site + "/admin/flatpages/flatpage/add/")
    page.fill("input[name=url]", "/about/")
    page.fill("input[name=title]", "About us")
    page.fill("textarea[name=content]", "<p>Who we are.</p>")
    page.select_option("select[name=sites]", index=0)
    page.get_by_role("button", name="Save", exact=True).click()
    page.goto(site + "/admin/menus/menulink/add/")
    tab_through(page, MENU_FIELDS)
    editor.check("menu-link-add")
    page.select_option("select[name=menu]", "footer")
    page.fill("input[name=order]", "15")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errornote")).to_be_visible()  # nowhere to go: said plainly
    expect(page.locator(".errorlist").first).to_contain_text("Choose one place for the link")
    editor.check("menu-link-errors")
    page.select_option("select[name=page]", label="/about/ -- About us")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#result_list")).to_contain_text("About us")
    editor.check("menu-links")
    page.goto(site + "/")
    page.locator(".site-footer").get_by_role("link", name="About us").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("About us")

    # The dashboard counts what was done.
    page.goto(site + "/admin/")
    expect(glance).to_contain_text("0 waiting for Insider")
    expect(glance).to_contain_text("1 published in the last 7 days")
    editor.check("admin-index")
    page.set_viewport_size(PHONE)
    editor.check("admin-index-phone")


def loads(page, picture) -> bool:
    """Whether the picture loads: it is lazy, so brought into view first, then waited for
    (a picture that never loads fails by the timeout)."""
    picture.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=picture.element_handle()
    )
    return picture.evaluate("img => img.complete && img.naturalWidth > 0")
