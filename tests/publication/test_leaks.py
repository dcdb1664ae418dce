"""Crawl the site as an attacker would and look for text beyond the cut.

Each members-only post hides sentinel sentences past its preview (in a paragraph
and in a pull quote). Readers not entitled to a post must find its sentinels in
no response body or header, on any page reachable from the front page, the feed,
the sitemap and search; readers entitled to it must find them, so this can fail.
"""

import io
import re
from collections import deque
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from letters.links import unsubscribe_url
from letters.models import Send, SubscriptionRequest
from letters.sending import send_post
from letters.subscriptions import confirmation_url as subscription_url
from members import links
from members.models import Membership, Tier
from tests.articles.test_admin import change_form
from tests.factories import (
    listed,
    make_application,
    make_article,
    make_contributor,
    make_member,
    make_submission,
    make_tier,
    make_topic,
)

pytestmark = pytest.mark.django_db

# Account pages show no posts, and each links to itself with a longer `next`.
SKIP = ("/admin/", "/static/", "/media/", "/accounts/")
MAX_PAGES = 300
LINK = re.compile(r'(?:href|src)="([^"]+)"|<link>([^<]+)</link>|<loc>([^<]+)</loc>')
GHOST_EXPORT = Path(__file__).parent.parent / "ghost" / "exports" / "ghost5.json"
SENTINELS = {"members": "Zanzibarquux", "patron": "Quetzalwibble"}


def body_with_secret(word: str) -> str:
    return (
        f"Opening paragraph anyone may read.\n\nSecond free paragraph.\n\n<!--members-only-->\n\n"
        f"The hidden truth is {word} and nobody else may know.\n\nMore {word} text."
    )


@pytest.fixture
def site(django_user_model):
    return make_site(django_user_model)


def make_site(django_user_model) -> dict:
    """The posts with secrets, and a reader of each kind (None: a visitor)."""
    reader_tier, patron = make_tier(name="Reader", rank=1), make_tier(name="Patron", rank=3)
    writer, topic = make_contributor(name="Pat Writer"), make_topic(name="Secrets")
    make_article(title="A public essay", contributors=[writer], topics=[topic], featured=True)
    for name, extra in [
        ("members", {"visibility": Article.Visibility.MEMBERS}),
        ("patron", {"visibility": Article.Visibility.TIER, "minimum_tier": patron}),
    ]:
        word = SENTINELS[name]
        make_article(
            title=f"The {name} post",
            body=body_with_secret(word),
            contributors=[writer],
            topics=[topic],
            pull_quotes=[{"text": f"Quoted {word}", "attribution": "Someone", "position": 3}],
            **extra,
        )
    # A Ghost site imported beside them: the same secrets past its paywall cards, in a
    # members post and a Patron post (and a post for its dearer package, Gold).
    call_command("import_ghost", str(GHOST_EXPORT), stdout=io.StringIO())
    return {
        "visitor": None,
        "no membership": django_user_model.objects.create_user("plain@example.com"),
        "lapsed patron": make_member(patron, status=Membership.Status.ENDED),
        "lower tier": make_member(reader_tier),
        "patron": make_member(patron),
        "staff": django_user_model.objects.create_user("staff@example.com", is_staff=True),
        "subscriber": django_user_model.objects.create_user(
            "subscriber@example.com", subscribed_at=timezone.now()
        ),
    }


VISIBLE = {
    "visitor": set(),
    "no membership": set(),
    "lapsed patron": set(),
    "lower tier": {"members"},
    "patron": {"members", "patron"},
    "staff": {"members", "patron"},
    "subscriber": set(),
}


def waitlist_pages() -> list[str]:
    """The pages only an email leads to: an applicant's own page (opened by its link,
    which the crawl follows first), a confirmation link and the rest, and the letter's
    subscribe and unsubscribe pages."""
    application = make_application(tier=tier_named("Applied for", rank=50))
    reader = make_member(tier_named("Letter reader", rank=51))
    return [
        links.application_url(application).removeprefix(settings.SITE_URL),
        "/membership/application/",
        "/membership/application/withdraw/",
        links.confirmation_url(make_submission()).removeprefix(settings.SITE_URL),
        "/membership/confirm/expired/",
        "/membership/apply/thanks/",
        "/membership/application/link/sent/",
        "/membership/login/MQ/expired/",
        unsubscribe_url(reader).removeprefix(settings.SITE_URL),
        "/letter/unsubscribe/forged/",
        "/letter/subscribe/",
        "/letter/subscribe/thanks/",
        subscription_url(SubscriptionRequest.objects.create(email="new@example.com")).removeprefix(
            settings.SITE_URL
        ),
        "/letter/confirm/forged/",
    ]


def tier_named(name: str, rank: int) -> Tier:
    """The package of that name, made the first time (a crawl may run again)."""
    return Tier.objects.filter(name=name).first() or make_tier(name=name, rank=rank)


def crawl(client: Client) -> list[tuple[str, str]]:
    """Every reachable response as (what was asked, body and headers as text)."""
    seen: set[str] = set()
    queue = deque([*waitlist_pages(), "/", "/feed/", "/sitemap.xml", "/robots.txt"])
    queue.extend(f"/search/?q={word}" for word in SENTINELS.values())
    queue.extend(["/search/?q=hidden+truth", "/search/?q=Quoted"])
    responses = []
    while queue:
        assert len(seen) < MAX_PAGES, "the crawl does not end"
        url = queue.popleft()
        if url in seen or url.startswith(SKIP):
            continue
        seen.add(url)
        response = client.get(url)
        text = response.content.decode(errors="replace")
        # The search page repeats what was typed; anything more would be a leak.
        typed = parse_qs(urlparse(url).query).get("q", [""])[0]
        shown = text.replace(typed, "") if typed else text
        responses.append((f"GET {url}", shown + str(response.headers)))
        if "/articles/" in url:
            responses.extend(variants(client, url))
        for match in LINK.finditer(text):
            link = next(group for group in match.groups() if group)
            parsed = urlparse(urljoin("http://testserver" + url, link.replace("&amp;", "&")))
            if parsed.netloc == "testserver":
                queue.append(parsed.path + (f"?{parsed.query}" if parsed.query else ""))
    assert len(seen) > 15, seen  # the crawl really went round the site
    return responses


def found_own_application(responses: list[tuple[str, str]]) -> bool:
    """Whether the crawl read the applicant's page its application link opened."""
    own_page = dict(responses)["GET /membership/application/"]
    return "<h1>Your application</h1>" in own_page and "Save my changes" in own_page


def variants(client: Client, url: str) -> list[tuple[str, str]]:
    """The same post asked for in the ways that sometimes bypass a gate."""
    asked = [
        ("HEAD", client.head(url)),
        ("?format=json", client.get(url + "?format=json")),
        ("?amp", client.get(url + "?amp")),
        ("Accept: json", client.get(url, headers={"Accept": "application/json"})),
        (
            "If-Modified-Since",
            client.get(url, headers={"If-Modified-Since": "Sat, 1 Jan 2000 00:00:00 GMT"}),
        ),
    ]
    return [(f"{how} {url}", r.content.decode() + str(r.headers)) for how, r in asked]


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_no_reader_finds_text_their_membership_does_not_include(site, persona):
    client = Client()
    if site[persona] is not None:
        client.force_login(site[persona])

    responses = crawl(client)

    assert found_own_application(responses)
    for post, word in SENTINELS.items():
        found_in = [asked for asked, text in responses if word in text]
        if post in VISIBLE[persona]:
            assert found_in, f"{persona} should read the {post} post in full"
        else:
            assert found_in == [], f"{persona} found the {post} post's hidden text in {found_in}"


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_only_staff_who_may_edit_posts_see_them_previewed(site, persona, staff_user):
    """The preview shows an unsaved post whole to the editor, and to no one else: not to
    readers, not to staff without the right to change posts."""
    client = Client()
    if site[persona] is not None:
        client.force_login(site[persona])
    editor = Client()
    editor.force_login(staff_user)
    for post, word in SENTINELS.items():
        article = Article.objects.get(title=f"The {post} post")
        url = reverse("admin:articles_article_preview", args=[article.pk])
        form = change_form(article, minimum_tier=article.minimum_tier_id or "")

        assert word in editor.post(url, form).content.decode()
        response = client.post(url, form)
        assert response.status_code == (403 if persona == "staff" else 302)
        assert word not in response.content.decode() + str(response.headers)


# What a search for each secret finds, for readers who may read it: the crawl's own post
# and the imported ones (Ghost's paid post needs its lowest package: Patron, matched to
# the one here, ranks below the imported Gold).
FOUND = {
    "members": {"The members post", "Markets and rules"},
    "patron": {"The patron post", "For patrons", "For paying members"},
}


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_search_matches_hidden_text_only_for_readers_entitled_to_it(site, persona):
    client = Client()
    if site[persona] is not None:
        client.force_login(site[persona])
    for post, word in SENTINELS.items():
        found = {a.title for a in listed(client.get("/search/", {"q": word}))}
        assert found == (FOUND[post] if post in VISIBLE[persona] else set())


def test_kept_search_results_match_hidden_text_only_for_readers_entitled_to_it(
    site, settings, redis_cache
):
    """As above, with search results kept in the shared cache and every reader searching
    in turn, in one order and the other: none is shown results kept for another."""
    settings.LIST_CACHE = True
    for personas in (list(VISIBLE), list(VISIBLE)[::-1]):
        redis_cache.clear()
        for persona in personas:
            client = Client()
            if site[persona] is not None:
                client.force_login(site[persona])
            for post, word in SENTINELS.items():
                found = {a.title for a in listed(client.get("/search/", {"q": word}))}
                assert found == (FOUND[post] if post in VISIBLE[persona] else set()), persona


def test_no_reader_is_emailed_text_their_membership_does_not_include(site, staff_user, run_tasks):
    """Every post sent to the widest audience, every reader with an account on the free
    list: each letter holds what the gate gives its reader, and no more."""
    readers = {persona: user for persona, user in site.items() if user is not None}
    User = type(staff_user)
    User.objects.filter(pk__in=[u.pk for u in readers.values()]).update(
        subscribed_at=timezone.now()
    )
    posts = [a for a in Article.objects.all() if a.is_public_now]
    for post in posts:
        send_post(post, audience=Send.Audience.FREE, tier=None, sent_by=staff_user)
    run_tasks()

    for persona, user in readers.items():
        letters = [
            m.subject + m.body + "".join(c for c, _ in m.alternatives) + str(m.extra_headers)
            for m in mail.outbox
            if m.to == [user.email]
        ]
        assert len(letters) == len(posts), persona
        for post, word in SENTINELS.items():
            found = any(word in letter for letter in letters)
            assert found == (post in VISIBLE[persona]), (persona, post)
