"""The membership journey through nginx's shared cache, configured by deploy/nginx.conf:
a visitor's page comes from nginx, a member logs in and reads the whole post through it,
a visitor after them meets the gate, and nginx never keeps a word past it."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from bench.nginx import Nginx, binary
from members.models import Tier
from tests.e2e.conftest import DESKTOP, Watcher
from tests.factories import make_article, make_member

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "Only patrons read Quetzalwibble."


@pytest.fixture
def front(site, tmp_path, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]  # nginx passes its Host
    if binary() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the journey through nginx: apt-get install nginx")
        pytest.skip("No nginx here (apt-get install nginx)")
    with Nginx(site, tmp_path) as (base, cache):
        yield base, cache


def kept(cache: Path) -> str:
    return "".join(f.read_bytes().decode(errors="replace") for f in cache.rglob("*") if f.is_file())


def test_a_member_reads_through_nginx_and_nginx_keeps_only_the_visitors_page(
    front, browser: Browser
):
    base, cache = front
    patron = Tier.objects.get(slug="patron")
    make_member(patron, email="pat@example.com")
    make_article(
        slug="for-patrons-only",
        title="For patrons only",
        body=f"The open opening.\n\nMore of it.\n\n<!--members-only-->\n\n{SECRET}",
        visibility="tier",
        minimum_tier=patron,
    )
    address = base + "/articles/for-patrons-only/"
    visitor = browser.new_context(viewport=DESKTOP).new_page()
    watcher = Watcher(visitor, "through-nginx")

    assert visitor.goto(address).headers["x-cache-status"] == "MISS"
    assert visitor.goto(address).headers["x-cache-status"] == "HIT"  # from nginx, shared
    expect(visitor.locator("section.gate")).to_contain_text("This post is for Patron members.")
    expect(visitor.locator(".post__body")).not_to_contain_text("Quetzalwibble")
    watcher.check("visitor-gate")

    visitor.locator("section.gate").get_by_role("link", name="Log in").click()
    visitor.fill("input[name=login]", "pat@example.com")
    visitor.fill("input[name=password]", "a-long-pw")
    visitor.get_by_role("button", name="Log in").click()
    expect(visitor).to_have_url(address)
    expect(visitor.locator(".post__body")).to_contain_text(SECRET)
    assert visitor.goto(address).headers["x-cache-status"] == "BYPASS"  # a session: never kept
    watcher.check("member-reads")

    stranger = browser.new_context(viewport=DESKTOP).new_page()
    response = stranger.goto(address)
    assert response.headers["x-cache-status"] in {"HIT", "EXPIRED"}
    expect(stranger.locator("section.gate")).to_be_visible()
    expect(stranger.locator(".post__body")).not_to_contain_text("Quetzalwibble")
    assert "Quetzalwibble" not in kept(cache)
