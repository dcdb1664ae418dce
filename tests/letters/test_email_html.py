"""The letter as mail clients read it: a 600 px table that narrows on phones, styles
inline, dark mode kept, full addresses, pictures with their size and words, a plain-text
twin, no tracking, and small enough that Gmail shows it whole."""

import re

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from letters.models import Send
from letters.preview import INCLUDED, NOT_INCLUDED, preview
from letters.sending import prepare
from outbox.models import Email
from outbox.tasks import deliver
from tests.factories import image_upload, make_article, make_contributor, make_member, make_tier

pytestmark = pytest.mark.django_db
SITE = "https://news.example.com"


@pytest.fixture(autouse=True)
def site(settings, tmp_path):
    settings.SITE_URL = SITE
    settings.MEDIA_ROOT = tmp_path


def test_the_longest_demo_post_stays_under_gmails_clipping_size():
    call_command("load_demo", verbosity=0)
    longest = max(Article.objects.all(), key=lambda a: len(a.body_html))
    assert len(preview(longest, INCLUDED).html.encode()) < 100_000
    members_only = Article.objects.exclude(visibility="public").first()
    assert len(preview(members_only, INCLUDED).html) > len(preview(members_only, NOT_INCLUDED).html)


def test_a_600_pixel_table_with_inline_styles_that_narrows_and_darkens():
    writer = make_contributor(name="Pat Writer", role_line="Policy editor")
    post = make_article(
        title="Plans",
        body="See [the archive](/archive/) and [elsewhere](https://example.org/x).\n\n![A chart](/media/chart.png)",
        contributors=[writer],
        hero_image=image_upload(width=1600, height=900),
        hero_alt="A harbour at dawn",
    )
    html = preview(post, INCLUDED).html

    (letter,) = re.findall(r'<table class="letter"[^>]*>', html)
    assert 'width="600"' in letter and 'style="width: 600px;max-width: 600px;' in letter
    assert '<td class="content" style="' in html  # inlined, for clients that drop <style>
    assert "@media (max-width: 620px)" in html and "@media (prefers-color-scheme: dark)" in html
    assert '<meta name="color-scheme" content="light dark">' in html
    hero, chart = (attributes(tag) for tag in re.findall(r"<img [^>]+>", html))
    assert hero["src"].startswith(f"{SITE}/media/") and hero["alt"] == "A harbour at dawn"
    assert (hero["width"], hero["height"]) == ("600", "338")
    assert (chart["src"], chart["alt"]) == (f"{SITE}/media/chart.png", "A chart")
    assert f'href="{SITE}/archive/"' in html and 'href="https://example.org/x"' in html
    assert "Pat Writer" in html and "Policy editor" in html
    links = re.findall(r'href="([^"]+)"', html)
    allowed = (SITE, "https://example.org/", "https://unsubscribe.invalid/")
    assert all(link.startswith(allowed) for link in links), links  # no rewritten links


def attributes(tag: str) -> dict[str, str]:
    return dict(re.findall(r'(\w+)="([^"]*)"', tag))


def test_the_plain_text_twin_says_the_same():
    post = make_article(
        title="Plans",
        dek="What comes next.",
        body="First *paragraph* with [a link](https://example.org/x).\n\n## A heading\n\n- one\n- two",
    )
    text = preview(post, INCLUDED).text
    assert "Plans\nWhat comes next.\n" in text
    assert "First paragraph with a link (https://example.org/x)." in text
    assert "## A heading" in text and "- one\n\n- two" in text
    assert "<" not in text


def test_a_batch_reads_the_post_once_with_its_emails(staff_user):
    """A batch reads its emails, their readers and the post in the query that claims them:
    no member costs a read or a rendering of its own; each costs the two writes that
    record it sent (the email, its delivery), made as it goes so a killed worker sends
    nothing twice."""
    tier = make_tier()
    post = make_article(contributors=[make_contributor()])

    def queries_for(members: int) -> tuple[int, int]:
        for n in range(members):
            make_member(tier, email=f"m{members}-{n}@example.com")
        send = Send.objects.create(article=post, subject=post.title, audience="all")
        prepare.call(send.pk)
        ids = list(
            Email.objects.filter(delivery__send=send, state="queued").values_list("pk", flat=True)
        )
        caches["fragments"].clear()
        with CaptureQueriesContext(connection) as queries:
            deliver.call(ids)
        assert Email.objects.filter(pk__in=ids, state="sent").count() == members
        statements = [query["sql"].split()[0] for query in queries]
        return statements.count("SELECT"), statements.count("UPDATE")

    (reads_10, writes_10), (reads_40, writes_40) = queries_for(10), queries_for(40)
    assert reads_40 == reads_10
    assert writes_40 - writes_10 == 2 * 30


def test_headings_carry_no_link_to_themselves_in_the_letter():
    """On the page a heading ends with a "#" linking to it; in an email that was a red "#"
    after each heading, and "## What members read # (http://...#what-members-read)"."""
    post = make_article(title="Plans", body="Opening.\n\n## What members read\n\nMore.")
    assert 'class="heading-anchor"' in post.body_html  # the page keeps its links

    letter = preview(post, INCLUDED)

    assert "heading-anchor" not in letter.html and "#what-members-read" not in letter.html
    assert re.search(r'<h2 id="what-members-read"[^>]*>What members read</h2>', letter.html)
    assert "\n## What members read\n" in letter.text and "#what" not in letter.text


def test_the_pull_quote_has_one_rule():
    post = make_article(
        body="One.\n\nTwo.", pull_quotes=[{"text": "Quoted", "attribution": "A", "position": 1}]
    )
    html = preview(post, INCLUDED).html
    figure = re.search(
        r'<figure class="pull-quote" style="([^"]*)"><blockquote style="([^"]*)"', html
    )
    assert "border-left: 4px solid" in figure[1]
    assert "border-left: 0" in figure[2] and "2px" not in figure[2]
