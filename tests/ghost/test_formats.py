"""Exports made from Ghost's documented formats: posts and products alone (Ghost 4.1), tiers
hidden and archived with the site's navigation (Ghost 5), and the email-only members CSV."""

import pytest
from django.test import Client

from articles.models import Article
from members.models import Tier, User
from menus.models import MenuLink
from tests.ghost.test_import import EXPORTS, import_ghost

pytestmark = pytest.mark.django_db

POSTS_ONLY = EXPORTS / "ghost41-posts-and-products.json"
NAVIGATION = EXPORTS / "ghost5-tiers-and-navigation.json"


def menu(name: str) -> list[tuple[str, str]]:
    return [(link.text, link.href) for link in MenuLink.objects.filter(menu=name)]


def test_an_export_of_posts_and_products_alone_imports_its_posts():
    report = import_ghost(POSTS_ONLY)

    assert "posts: 3 created" in report
    for slug in ["an-open-letter", "for-members-first", "for-supporters"]:
        assert f"to check: post {slug}: no byline (no author in the export)" in report
    supporters = Article.objects.get(slug="for-supporters")
    assert (supporters.visibility, supporters.minimum_tier.name) == ("tier", "Supporter")
    assert Article.objects.get(slug="for-members-first").visibility == "members"
    page = Client().get("/articles/for-supporters/").content.decode()
    assert "The opening." in page and "Wombatquux" not in page


def test_hidden_and_archived_tiers_are_not_offered():
    report = import_ghost(NAVIGATION)

    offered = dict(Tier.objects.values_list("name", "is_public"))
    assert offered == {"Friend": True, "Inner circle": False, "Legacy": False}
    assert "to check: package Inner circle: hidden in Ghost, so not offered" in report
    assert "to check: package Legacy: archived in Ghost, so not offered" in report
    packages = Client().get("/membership/").content.decode()
    assert "Friend" in packages
    assert "Inner circle" not in packages and "Legacy" not in packages


def test_ghosts_navigation_becomes_the_menus_with_addresses_here():
    report = import_ghost(NAVIGATION)

    assert menu("header") == [
        ("Latest", "/"),  # Ghost's Home: the link the header had already
        ("Membership", "/membership/"),
        ("About", "/about-us/"),  # the imported page
        ("Field notes", "/topics/field-notes/"),
        ("Ann", "/contributors/ann/"),
        ("Shop", "https://shop.example.org/"),
    ]
    assert menu("footer") == [
        ("Topics", "/topics/"),
        ("Contributors", "/contributors/"),
        ("Membership", "/membership/"),  # Ghost's sign-up pop-up: the packages page
        ("RSS feed", "/feed/"),
        ("The first note", "http://127.0.0.1:8000/articles/the-first-note/"),
    ]
    assert "menu links: 5 created, 3 matched to one here" in report
    assert "skipped: menu link Nowhere: /gone-for-good/ is no page here" in report
    footer = Client().get("/").content.decode().split('<footer class="site-footer">')[1]
    assert '<a href="http://127.0.0.1:8000/articles/the-first-note/">The first note</a>' in footer


def test_a_menu_link_staff_removed_is_not_brought_back():
    import_ghost(NAVIGATION)
    MenuLink.objects.filter(label="Shop").delete()

    report = import_ghost(NAVIGATION)

    assert "menu links: 8 unchanged" in report
    assert not MenuLink.objects.filter(label="Shop").exists()


def test_an_email_only_post_is_a_draft_staff_are_told_of():
    report = import_ghost(NAVIGATION)
    emailed = Article.objects.get(slug="sent-to-the-list")
    assert (emailed.status, emailed.staff_note) == (
        "draft",
        "Sent by email only in Ghost on 1 February 2024, never on its site: imported as a draft.",
    )
    assert "to check: post sent-to-the-list: sent by email only in Ghost" in report


def test_the_email_only_members_csv_makes_free_subscribers():
    report = import_ghost(POSTS_ONLY, "--members", str(EXPORTS / "members-email-only.csv"))
    assert "free subscribers: 2 created" in report
    assert sorted(User.objects.subscribers().values_list("email", flat=True)) == [
        "reader.one@example.org",
        "reader.two@example.org",
    ]
