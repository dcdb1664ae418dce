"""`manage.py import_ghost`: a Ghost 5 and a Ghost 4 export (written for these tests,
tests/ghost/exports/) into posts, contributors, topics, packages, pages and redirects."""

import io
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.contrib.flatpages.models import FlatPage
from django.core.management import CommandError, call_command
from django.test import Client

from articles.models import Article, Contributor, Topic
from ghost.convert import convert
from members.models import Tier
from tests.factories import make_tier

pytestmark = pytest.mark.django_db
EXPORTS = Path(__file__).parent / "exports"


def import_ghost(path: Path, *options) -> str:
    out = io.StringIO()
    call_command("import_ghost", str(path), *options, stdout=out)
    return out.getvalue()


@pytest.fixture(params=["ghost5.json", "ghost4.json"])
def imported(request) -> str:
    return import_ghost(EXPORTS / request.param)


def test_posts_come_with_their_byline_topics_paywall_and_pull_quote(imported):
    post = Article.objects.get(slug="markets-and-rules")
    assert (post.title, post.dek, post.featured) == (
        "Markets and rules",
        "Why the rules lag.",
        True,
    )
    assert (post.status, post.visibility, post.hero_alt) == (
        "published",
        "members",
        "A trading floor",
    )
    assert post.publish_at.isoformat() == "2024-01-02T10:00:00+00:00"
    assert [b.contributor.name for b in post.bylines.order_by("order")] == [
        "Grace Writer",
        "Ada Reader",
    ]
    assert sorted(post.topics.values_list("name", flat=True)) == ["Markets", "Policy"]
    (quote,) = post.pull_quotes.all()
    assert (quote.text, quote.attribution, quote.position) == (
        "Markets move faster than rules.",
        "Ada Reader",
        2,
    )
    assert "A second free paragraph." in post.preview_html
    assert "Zanzibarquux" not in post.preview_html and "Zanzibarquux" in post.body_html
    assert "Markets move faster than rules." in post.body_html
    assert "<script" not in post.body_html and 'alert("x")' not in post.body_html
    assert "\n<!--members-only-->\n" in post.body
    assert "__GHOST_URL__" not in post.body and "*The chart*" in post.body


def test_search_titles_and_descriptions_come_from_posts_meta(imported):
    post = Article.objects.get(slug="markets-and-rules")
    assert (post.search_title, post.search_description) == ("Markets", "Rules")
    html = Client().get(post.get_absolute_url()).content.decode()
    assert "<title>Markets · " in html
    assert '<meta property="og:title" content="Markets">' in html
    assert '<meta name="description" content="Rules">' in html
    assert '<meta property="og:description" content="Rules">' in html


def test_open_graph_fields_stand_in_and_a_preview_picture_is_reported():
    imported = import_ghost(EXPORTS / "ghost5.json")
    post = Article.objects.get(slug="a-free-essay")
    assert (post.search_title, post.search_description) == (
        "A free essay, shared",
        "Shared widely",
    )
    assert (
        "to check: post a-free-essay: its own link-preview picture is not imported; "
        "previews show its picture, or a card drawn from its title" in imported
    )


def test_paid_and_tier_posts_need_the_lowest_matching_package(imported):
    gold, patron = Tier.objects.get(name="Gold"), Tier.objects.get(name="Patron")
    assert Article.objects.get(slug="for-paying-members").minimum_tier == gold
    assert Article.objects.get(slug="for-patrons").minimum_tier == patron
    assert (gold.monthly_price, gold.yearly_price, gold.currency) == (5, 50, "USD")
    assert gold.rank < patron.rank
    assert not Tier.objects.filter(name="Free").exists()


def test_a_new_package_ranks_among_those_here_by_its_monthly_price():
    reader = make_tier(name="Reader", slug="reader", rank=1, monthly_price=3)
    insider = make_tier(name="Insider", slug="insider", rank=2, monthly_price=10)
    patron = make_tier(name="Patron", slug="patron", rank=3, monthly_price=20)
    report = import_ghost(EXPORTS / "ghost5.json")
    gold = Tier.objects.get(name="Gold")
    ranks = dict(Tier.objects.values_list("name", "rank"))
    assert sorted(ranks, key=ranks.get) == ["Reader", "Gold", "Insider", "Patron"]
    assert Tier.objects.get(pk=patron.pk).slug == "patron"  # matched, not made again
    insider.refresh_from_db()
    reader.refresh_from_db()
    assert insider.includes(gold) and not reader.includes(gold)
    assert (
        "to check: package Gold: ranked by its monthly price among the packages here, above "
        "Reader and below Insider: a higher package includes what lower ones do" in report
    )
    assert "tiers: 1 created, 1 matched to one made here" in report


def test_drafts_scheduled_posts_and_pages(imported):
    assert Article.objects.get(slug="a-draft").status == "draft"
    scheduled = Article.objects.get(slug="coming-soon")
    assert (scheduled.status, scheduled.publish_at.year) == ("scheduled", 2030)
    assert not Article.objects.filter(slug="about").exists()  # a page, below
    emailed = Article.objects.get(slug="sent-by-email")  # on no site, but kept
    assert (emailed.status, emailed.staff_note) == (
        "draft",
        "Sent by email only in Ghost on 2 January 2024, never on its site: imported as a draft.",
    )
    assert Client().get(emailed.get_absolute_url()).status_code == 404
    page = FlatPage.objects.get(url="/about/")
    assert page.content == "<p>We write about <strong>policy</strong>.</p>"
    served = Client().get("/about/").content.decode()
    assert "<h1>About us</h1>" in served and "<strong>policy</strong>" in served


def test_authors_become_contributors_and_odd_role_lines_are_reported(imported):
    ada, grace = Contributor.objects.get(slug="ada"), Contributor.objects.get(slug="grace")
    assert ada.role_line == "Policy editor"
    assert ada.links.splitlines() == ["https://ada.example", "https://x.com/adareader"]
    assert grace.role_line == ""
    assert "to check: role line of Grace Writer (/contributors/grace/)" in imported
    assert not Topic.objects.filter(name__startswith="#").exists()


def test_the_report_counts_each_kind_and_every_simplified_card(imported):
    assert "posts: 7 created" in imported
    assert "tags: 2 created, 1 skipped (Ghost's internal #tags)" in imported
    assert (
        "to check: post sent-by-email: sent by email only in Ghost, never on its site; "
        "imported as a draft" in imported
    )
    assert (
        "cards simplified: 1 bookmark, 1 button, 1 callout, 1 embed, 1 gallery, 1 header, "
        "1 toggle" in imported
    )
    assert re.search(r"took \d+\.\d s \(\d+ posts/s\)", imported)
    assert (
        "missing picture: markets-and-rules: __GHOST_URL__/content/images/2024/01/chart.png"
        in imported
    )
    assert (
        "missing picture: markets-and-rules: __GHOST_URL__/content/images/2024/01/hero.jpg"
        in imported
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/markets-and-rules/", "/articles/markets-and-rules/"),
        ("/tag/policy/", "/topics/policy/"),
        ("/author/ada/", "/contributors/ada/"),
        ("/rss/", "/feed/"),
    ],
)
def test_old_addresses_answer_301_to_the_new_ones(old, new):
    import_ghost(EXPORTS / "ghost5.json")
    response = Client().get(old)
    assert (response.status_code, response["Location"]) == (301, new)
    assert Client().get(new).status_code == 200


def test_a_second_run_changes_nothing():
    import_ghost(EXPORTS / "ghost5.json")
    before = snapshot()
    again = import_ghost(EXPORTS / "ghost5.json")
    assert snapshot() == before
    assert "posts: 7 unchanged" in again
    assert "tiers: 2 unchanged" in again and "created" not in again.replace("already", "")


def snapshot() -> list:
    return [
        list(Article.objects.order_by("pk").values("pk", "title", "body", "updated_at")),
        list(Contributor.objects.order_by("pk").values()),
        list(Topic.objects.order_by("pk").values()),
        list(Tier.objects.order_by("pk").values()),
        list(FlatPage.objects.order_by("pk").values()),
    ]


def test_a_newer_export_updates_what_changed_and_keeps_staff_edits(tmp_path):
    import_ghost(EXPORTS / "ghost5.json")
    Article.objects.filter(slug="a-free-essay").update(title="Retitled by staff")
    newer = json.loads((EXPORTS / "ghost5.json").read_text())
    posts = newer["db"][0]["data"]["posts"]
    for post in posts:
        if post["slug"] in ("for-patrons", "a-free-essay"):
            post["title"] += " (revised)"
    path = tmp_path / "newer.json"
    path.write_text(json.dumps(newer))

    report = import_ghost(path)

    assert "posts: 1 updated, 5 unchanged, 1 kept as edited here" in report
    assert Article.objects.get(slug="for-patrons").title == "For patrons (revised)"
    assert Article.objects.get(slug="a-free-essay").title == "Retitled by staff"
    import_ghost(path, "--overwrite")
    assert Article.objects.get(slug="a-free-essay").title == "A free essay (revised)"


def test_a_dry_run_reports_and_writes_nothing():
    report = import_ghost(EXPORTS / "ghost5.json", "--dry-run")
    assert report.startswith("Dry run: nothing was written.")
    assert "posts: 7 created" in report
    assert not Article.objects.exists() and not FlatPage.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"db": [', "not valid JSON at line 1, column 9: Expecting value."),
        ('{"posts": []}', 'not a Ghost export (expected {"db": [{"meta": …, "data": …}]}).'),
        (
            '{"db": [{"meta": {"version": "2.38.0"}, "data": {}}]}',
            "Ghost 2.38.0 is not supported (Ghost 3, 4 and 5 are).",
        ),
        (
            '{"db": [{"meta": {"version": "5.1.0"}, "data": {"tags": []}}]}',
            "the export has no posts (Ghost 5.1.0).",
        ),
    ],
)
def test_a_file_that_cannot_be_imported_says_why_in_one_line(tmp_path, content, message):
    path = tmp_path / "export.json"
    path.write_text(content)
    with pytest.raises(CommandError) as refused:
        import_ghost(path)
    assert str(refused.value) == f"{path}: {message}"


def test_a_bad_item_stops_the_run_and_leaves_nothing_behind(tmp_path):
    broken = json.loads((EXPORTS / "ghost5.json").read_text())
    broken["db"][0]["data"]["posts"][-2]["slug"] = "not a slug!"
    broken["db"][0]["data"]["posts"][-2]["type"] = "post"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    with pytest.raises(CommandError) as refused:
        import_ghost(path)
    assert str(refused.value).startswith("post p7 (not a slug!): Enter a valid “slug”")
    assert not Article.objects.exists() and not Tier.objects.exists()


def visible_blocks(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    for anchor in soup.select(".heading-anchor"):  # our headings' own "#" links
        anchor.decompose()
    return [" ".join(block.get_text(" ").split()) for block in soup.find_all(recursive=False)]


def test_a_rich_body_reads_the_same_block_by_block():
    ghost_html = (
        '<p>A <strong>bold</strong> start, <em>leaning</em> words and <a href="https://x.org/a">'
        "a link</a>.</p><h2>A heading</h2><ul><li>one thing</li><li>another, <code>code</code>"
        "</li></ul><ol><li>first</li><li>second</li></ol><blockquote><p>A plain quote.</p>"
        '</blockquote><figure class="kg-card kg-image-card"><img src="https://x.org/p.png" '
        'alt="A picture"></figure><pre><code>print("hi")</code></pre><hr><p>The end.</p>'
    )
    article = Article.objects.create(
        title="Rich", slug="rich", body=convert(ghost_html).markdown, status="published"
    )
    ours = [text for text in visible_blocks(article.body_html) if text]
    theirs = [text for text in visible_blocks(ghost_html) if text]
    assert ours == theirs


def test_a_ghost_3_export_without_tiers_imports_paid_posts_for_all_members(tmp_path):
    """Ghost 3 had no tiers: a paid post is for members, and the report says to check it."""
    old = json.loads((EXPORTS / "ghost4.json").read_text())
    old["db"][0]["meta"]["version"] = "3.42.9"
    data = old["db"][0]["data"]
    for table in ("products", "posts_products"):
        data.pop(table)
    path = tmp_path / "ghost3.json"
    path.write_text(json.dumps(old))

    report = import_ghost(path)

    assert Article.objects.get(slug="for-paying-members").visibility == "members"
    assert "to check: post for-paying-members: for paid members, but no package matches" in report
    assert not Tier.objects.exists()


def test_a_flat_page_staff_write_is_sanitised_as_posts_are():
    page = FlatPage.objects.create(
        url="/colophon/",
        title="Colophon",
        content='<p onclick="steal()">Set in Georgia.</p><script>steal()</script>',
    )
    assert page.content == "<p>Set in Georgia.</p>"
