"""nginx in front, configured as deploy/nginx.conf: it keeps the pages every visitor sees,
and never a member's page or a word past the gate. The leak crawl goes through it."""

import http.client
import os
import re
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from email.message import Message
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse, urlsplit

import pytest
from django.test import Client

from bench.nginx import Nginx, binary
from menus.defaults import add_default_links
from menus.models import MenuLink
from tests.conftest import free_port
from tests.factories import make_article, make_contributor, make_member, make_tier, make_topic
from tests.publication.test_leaks import SENTINELS, VISIBLE, crawl, found_own_application, make_site
from tests.publication.test_two_hosts import ROOT, database_url

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "Quokkawibble"
LINK = re.compile(r'href="([^"#]+)"')


def fetch(url: str, cookie: str | None = None) -> tuple[str, str]:
    """The page and nginx's X-Cache-Status for it."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (ours)
            return response.read().decode(errors="replace"), response.headers["X-Cache-Status"]
    except urllib.error.HTTPError as error:
        return error.read().decode(errors="replace"), error.headers["X-Cache-Status"]


@pytest.fixture
def front(settings, tmp_path):
    """gunicorn as production runs it, and nginx in front with the sample configuration."""
    if binary() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the tests through nginx: apt-get install nginx")
        pytest.skip("No nginx here (apt-get install nginx)")
    app_port = free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,
        # As in process: the leak crawl's Browser says it is Django's test client's host.
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SITE_URL": settings.SITE_URL,
        "HTTPS": "false",
        "STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    app = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "publication.wsgi", "--workers", "2",
         "--bind", f"127.0.0.1:{app_port}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{app_port}/healthz", timeout=5)
            break
        except OSError:
            time.sleep(0.1)
    with Nginx(f"127.0.0.1:{app_port}", tmp_path) as (base, cache):
        yield base, cache
    app.terminate()
    app.wait(timeout=10)


def kept(cache: Path) -> str:
    """Every page nginx has stored, as text."""
    return "".join(f.read_bytes().decode(errors="replace") for f in cache.rglob("*") if f.is_file())


def kept_pages(cache: Path) -> list[tuple[str, str]]:
    """Each page nginx has stored: its key (the address) and its text, less the words a
    search was asked for (the search page repeats them, as the crawl allows)."""
    pages = []
    for stored in (f for f in cache.rglob("*") if f.is_file()):
        text = stored.read_bytes().decode(errors="replace")
        key = re.search(r"\nKEY: (\S+)", text)[1]
        typed = parse_qs(urlparse(key).query).get("q", [""])[0]
        pages.append((key, text.replace(typed, "") if typed else text))
    return pages


@pytest.fixture
def posts():
    if not MenuLink.objects.exists():  # made by a migration: gone with an earlier flush
        add_default_links(MenuLink)
    patron = make_tier(name="Patron", rank=3)
    writer, topic = make_contributor(name="Pat Writer"), make_topic(name="Secrets")
    free = make_article(title="An open essay", slug="open", contributors=[writer], topics=[topic])
    paid = make_article(
        title="For patrons",
        slug="paid",
        visibility="tier",
        minimum_tier=patron,
        contributors=[writer],
        topics=[topic],
        pull_quotes=[{"text": f"Quoted {SECRET}", "attribution": "Someone", "position": 3}],
        body=f"The free opening.\n\nMore of it.\n\n<!--members-only-->\n\nThe secret is {SECRET}.",
    )
    member = Client()
    member.force_login(make_member(patron))
    return free, paid, f"sessionid={member.cookies['sessionid'].value}"


def test_a_visitors_page_is_kept_and_served_again(front, posts):
    base, _ = front
    first, status = fetch(base + "/articles/open/")
    again, status_again = fetch(base + "/articles/open/")
    assert (status, status_again) == ("MISS", "HIT")
    assert again == first and "An open essay" in again


def test_a_members_page_passes_through_and_is_never_kept(front, posts):
    base, cache = front
    *_, cookie = posts
    page, status = fetch(base + "/articles/paid/", cookie)
    assert SECRET in page and status == "BYPASS"
    visitor, _ = fetch(base + "/articles/paid/")
    assert SECRET not in visitor and "The free opening." in visitor
    assert SECRET not in kept(cache)


@pytest.mark.parametrize("persona", ["visitor", "member"])
def test_the_leak_crawl_through_nginx_finds_no_secret_where_it_must_not(front, posts, persona):
    base, cache = front
    *_, cookie = posts
    seen, queue, found_in = set(), ["/", "/feed/", "/sitemap.xml", "/articles/paid/"], []
    while queue and len(seen) < 120:
        path = queue.pop(0)
        if path in seen or path.startswith(("/admin/", "/static/", "/accounts/")):
            continue
        seen.add(path)
        for _ in range(2):  # the second time from nginx's cache, where it keeps the page
            page, _ = fetch(base + path, cookie if persona == "member" else None)
            if SECRET in page:
                found_in.append(path)
        for link in LINK.findall(page):
            parsed = urlparse(urljoin(base + path, link.replace("&amp;", "&")))
            if parsed.netloc == urlparse(base).netloc:
                queue.append(parsed.path + (f"?{parsed.query}" if parsed.query else ""))
    assert len(seen) > 10, seen
    if persona == "member":
        assert "/articles/paid/" in found_in  # the crawl can find it: it reads it whole
    else:
        assert found_in == []
    assert SECRET not in kept(cache)


@dataclass
class Answer:
    status_code: int
    content: bytes
    headers: Message


class Browser:
    """A reader of the leak crawl (test_leaks.crawl) through nginx, asking as Django's
    test client does in process: GET and HEAD, redirects not followed, Host testserver,
    the cookies the site sets kept. A bot keeps none: each of its requests is one nginx
    may answer from its cache, or store."""

    def __init__(self, base: str, cookies: dict[str, str], keeps_cookies: bool = True) -> None:
        self.address, self.cookies, self.keeps_cookies = (
            urlsplit(base).netloc,
            cookies,
            keeps_cookies,
        )

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self.request("GET", path, headers or {})

    def head(self, path: str) -> Answer:
        return self.request("HEAD", path, {})

    def request(self, method: str, path: str, headers: dict[str, str]) -> Answer:
        sent = {"Host": "testserver", **headers}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection = http.client.HTTPConnection(self.address, timeout=10)
        connection.request(method, path, headers=sent)
        response = connection.getresponse()
        answer = Answer(response.status, response.read(), response.headers)
        connection.close()
        for header in response.headers.get_all("Set-Cookie", []) if self.keeps_cookies else []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:  # Django deletes a cookie with an empty one that has expired
                    self.cookies.pop(name, None)
        return answer


def test_no_reader_through_nginx_finds_text_their_membership_does_not_include(
    front, django_user_model
):
    """tests/publication/test_leaks.py's crawl of every kind of reader, in turn through
    one nginx: a bot that keeps no cookie first, whose pages nginx stores, then each reader
    (the patron must still read the whole post, not the bot's stored gate), then the bot
    again, which must meet no page a member was given. nginx stores no secret."""
    base, cache = front
    if not MenuLink.objects.exists():  # made by a migration: gone with an earlier flush
        add_default_links(MenuLink)
    readers = make_site(django_user_model)
    hits = 0
    for persona in ["bot", *VISIBLE, "bot"]:
        cookies = {}
        if readers.get(persona) is not None:
            client = Client()
            client.force_login(readers[persona])
            cookies["sessionid"] = client.cookies["sessionid"].value
        browser = Browser(base, cookies, keeps_cookies=persona != "bot")

        responses = crawl(browser)

        assert found_own_application(responses) == (persona != "bot")
        for post, word in SENTINELS.items():
            found_in = [asked for asked, text in responses if word in text]
            if post in VISIBLE.get(persona, ()):
                assert found_in, f"{persona} should read the {post} post in full"
            else:
                assert found_in == [], f"{persona} found the {post} post's secret in {found_in}"
        hits += sum("X-Cache-Status: HIT" in text for _, text in responses)
    assert hits > 20  # the second bot was answered from nginx's cache
    for word in SENTINELS.values():
        assert [key for key, page in kept_pages(cache) if word in page] == []
