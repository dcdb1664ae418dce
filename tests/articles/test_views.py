import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image

from articles.models import SEARCH_VECTORS, Article
from articles.views import ArticleDetailView
from tests.factories import (
    image_upload,
    listed,
    make_article,
    make_contributor,
    make_tier,
    make_topic,
    stored_files,
)

pytestmark = pytest.mark.django_db


# The public address: page metadata is built on it, never on the request's Host.
SITE = "https://news.example.com"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def json_ld(response) -> dict:
    match = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))


def test_front_page_leads_with_the_featured_post_then_the_latest(client):
    older = make_article(title="Older essay", publish_at=timezone.now() - timedelta(days=3))
    newer = make_article(title="Newer essay", publish_at=timezone.now() - timedelta(days=1))
    lead = make_article(title="The lead", featured=True)

    response = client.get("/")

    assert response.status_code == 200
    assert response.context["featured"].pk == lead.pk
    assert listed(response) == [newer, older]
    html = response.content.decode()
    assert html.index("The lead") < html.index("Newer essay") < html.index("Older essay")


def test_front_page_paginates_and_keeps_the_lead_on_page_one(client, settings):
    settings.ARTICLES_PER_PAGE = 2
    make_article(featured=True, title="The lead")
    for _ in range(5):
        make_article()

    page_one, page_three = client.get("/"), client.get("/?page=3")

    assert [len(r.context["articles"]) for r in (page_one, page_three)] == [2, 1]
    assert page_three.context["featured"] is None
    assert 'rel="next" href="?page=2"' in page_one.content.decode()
    assert client.get("/?page=9").status_code == 404
    # Each page's kept meta names its own address, asked again too.
    for page in (page_one, page_three, client.get("/"), client.get("/?page=3")):
        canonical = "https://news.example.com/" + (
            "?page=3" if page.context["page_obj"].number == 3 else ""
        )
        assert f'<link rel="canonical" href="{canonical}">' in page.content.decode()


def test_every_page_is_signed_with_this_year_where_the_publication_is(client, settings):
    settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14: its new year comes first
    year = timezone.localdate().year
    for path in ("/", "/membership/", "/no-such-page/"):
        assert f"<p>© {year} The Ledger · " in client.get(path).content.decode()


def test_front_page_with_nothing_published_says_so(client):
    make_article(status=Article.Status.DRAFT)
    response = client.get("/")
    assert response.status_code == 200
    assert "Nothing published here yet." in response.content.decode()


def test_post_page_shows_byline_body_pull_quote_and_topics(client):
    writer = make_contributor(name="Ernie Smith", role_line="Founder of the newsletter Tedium")
    topic = make_topic(name="Crypto", slug="crypto")
    article = make_article(
        title="DeFi abroad",
        body="First.\n\nSecond.",
        contributors=[writer],
        topics=[topic],
        pull_quotes=[{"text": "Quoted words", "attribution": "Brent Xu", "position": 1}],
    )

    response = client.get(f"/articles/{article.slug}/")

    assert response.status_code == 200
    assertions = [
        '<h1 class="post__title">DeFi abroad</h1>',
        f'<a class="byline__name" href="/contributors/{writer.slug}/">Ernie Smith</a>',
        '<span class="byline__role">Founder of the newsletter Tedium</span>',
        '<figure class="pull-quote"><blockquote><p>Quoted words</p></blockquote>'
        "<figcaption>– Brent Xu</figcaption></figure>",
        '<a href="/topics/crypto/">Crypto</a>',
        "1 min read",
    ]
    html = response.content.decode()
    for expected in assertions:
        assert expected in html


def test_topic_and_writer_pages_name_their_own_address_as_canonical(client, settings):
    settings.ARTICLES_PER_PAGE = 1
    writer, topic = make_contributor(name="Dylan Patel"), make_topic(name="Chips")
    for _ in range(2):
        make_article(contributors=[writer], topics=[topic])
    for owner in (writer, topic):
        for page in ("", "?page=2"):
            html = client.get(owner.get_absolute_url() + page).content.decode()
            url = f"https://news.example.com{owner.get_absolute_url()}"
            assert f'<link rel="canonical" href="{url}">' in html


def test_post_page_metadata_for_search_engines_and_link_previews(client):
    writer = make_contributor(name="Dylan Patel")
    article = make_article(
        title="Open <source> AI",
        dek="Open models gain ground & fast.",
        contributors=[writer],
        hero_image=image_upload(width=1600, height=900),
        hero_alt="A chip",
    )

    response = client.get(article.get_absolute_url())
    html = response.content.decode()

    url = f"https://news.example.com/articles/{article.slug}/"
    assert "<title>Open &lt;source&gt; AI · The Ledger</title>" in html
    assert '<meta name="description" content="Open models gain ground &amp; fast.">' in html
    assert f'<link rel="canonical" href="{url}">' in html
    assert '<meta property="og:title" content="Open &lt;source&gt; AI">' in html
    assert '<meta property="og:image" content="https://news.example.com/media/renditions/' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    data = json_ld(response)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Open <source> AI"
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "Dylan Patel",
            "url": f"https://news.example.com/contributors/{writer.slug}/",
        }
    ]
    assert data["url"] == url
    assert "\\u003Csource\\u003E" in html  # a title cannot close the script element


def test_post_picture_is_responsive_with_size_and_alt(client):
    article = make_article(hero_image=image_upload(width=1600, height=900), hero_alt="A chip")
    html = client.get(article.get_absolute_url()).content.decode()
    img = re.search(r'<figure class="post__hero">\s*(<img [^>]+>)', html).group(1)
    assert 'srcset="/media/renditions/' in img
    assert " 480w, " in img and ' 1600w"' in img
    assert 'sizes="(min-width: 60rem) 60rem, 100vw"' in img
    assert 'width="1600" height="900" alt="A chip"' in img


def test_post_without_a_picture_shares_a_card_drawn_with_its_title_and_byline(client):
    article = make_article(title="A post with no picture", contributors=[make_contributor()])
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert "<img" not in html  # the card is for link previews, not the page
    share = re.search(
        r'<meta property="og:image" content="https://news.example.com/media/([^"]+)">', html
    )
    assert share and share.group(1).startswith("share/") and share.group(1).endswith(".png")
    assert '<meta property="og:image:width" content="1200">' in html
    assert '<meta property="og:image:height" content="630">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert json_ld(response)["image"] == [f"https://news.example.com/media/{share.group(1)}"]
    for name in (share.group(1), share.group(1).replace(".png", ".webp")):
        with default_storage.open(name) as stored, Image.open(stored) as card:
            assert card.size == (1200, 630)
            assert card.format == name.rsplit(".", 1)[1].upper()


def share_cards() -> set[str]:
    return set(stored_files("share/"))


@pytest.mark.usefixtures("media_storage")
def test_a_share_card_is_drawn_when_a_save_commits_and_again_when_it_changes(
    django_capture_on_commit_callbacks, run_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(title="First title", contributors=[make_contributor(name="Ann")])
    first = share_cards()
    assert len(first) == 2  # PNG and WebP, drawn before anyone visits
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Second title"
        article.save()
    second = share_cards() - first
    assert len(second) == 2
    with django_capture_on_commit_callbacks(execute=True):
        article.bylines.create(contributor=make_contributor(name="Bo"), order=1)
    assert share_cards() == first | second  # the worker draws a byline's change
    run_tasks()
    with_bo = share_cards() - first - second
    assert len(with_bo) == 2
    article.refresh_from_db()
    assert article.share_picture.url in {default_storage.url(name) for name in with_bo}


def test_a_contributors_new_name_redraws_their_posts_cards_in_the_worker(run_tasks):
    ann = make_contributor(name="Ann")
    posts = [make_article(title=f"Post {n}", contributors=[ann]) for n in range(3)]
    run_tasks()
    before = share_cards()
    ann.name = "Ann Other"
    ann.save()
    run_tasks()
    drawn = share_cards() - before
    assert len(drawn) == 6  # three posts, PNG and WebP
    for post in posts:
        post.refresh_from_db()
        assert post.share_picture.url in {default_storage.url(name) for name in drawn}


def test_deleting_posts_queues_no_drawing_of_their_cards_and_a_dropped_byline_does():
    ann, bo = make_contributor(name="Ann"), make_contributor(name="Bo")
    kept = make_article(title="Kept", contributors=[ann, bo])
    gone = [make_article(title=f"Gone {n}", contributors=[ann, bo]) for n in range(2)]
    queued = DBTaskResult.objects.filter(task_path="articles.tasks.draw_share_pictures")
    queued.delete()
    gone[0].delete()
    Article.objects.filter(pk=gone[1].pk).delete()
    assert not queued.exists()
    kept.bylines.get(contributor=bo).delete()
    assert [result.args_kwargs["args"] for result in queued] == [[[kept.pk]]]


def test_the_post_page_loads_the_row_the_orm_loads_field_by_field(rf):
    post = make_article(
        visibility=Article.Visibility.TIER,
        minimum_tier=make_tier(name="Insider"),
        search_title="A title for search",
    )
    Article.objects.filter(pk=post.pk).update(hero_renditions=[{"name": "h.webp", "width": 800}])
    request = rf.get(post.get_absolute_url())
    request.user = AnonymousUser()
    loaded = ArticleDetailView(request=request, kwargs={"slug": post.slug}).get_object()
    expected = Article.objects.get(pk=post.pk)
    unread = {"body", "body_text", "preview_text", *SEARCH_VECTORS}
    assert loaded.get_deferred_fields() == unread  # the texts the gate lets through come too
    for field in Article._meta.concrete_fields:
        if field.name not in unread:
            assert getattr(loaded, field.attname) == getattr(expected, field.attname), field.name
    assert loaded.hero_renditions == [{"name": "h.webp", "width": 800}]


def test_a_post_with_a_picture_shares_it(client):
    article = make_article(hero_image=image_upload(width=1600, height=900), hero_alt="A chip")
    html = client.get(article.get_absolute_url()).content.decode()
    widest = article.hero_renditions[-1]["name"]
    assert f'<meta property="og:image" content="https://news.example.com/media/{widest}">' in html
    assert '<meta property="og:image:alt" content="A chip">' in html


def test_the_front_page_describes_the_publication_for_search_engines(client):
    make_article()
    response = client.get("/")
    html = response.content.decode()
    assert '<link rel="canonical" href="https://news.example.com/">' in html
    assert '<meta property="og:type" content="website">' in html
    assert '<meta property="og:url" content="https://news.example.com/">' in html
    assert '<meta property="og:image:alt" content="The Ledger logo">' in html
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    website, organization = (json.loads(script) for script in scripts)
    assert website["@type"] == "WebSite"
    assert website["potentialAction"] == {
        "@type": "SearchAction",
        "target": {
            "@type": "EntryPoint",
            "urlTemplate": "https://news.example.com/search/?q={search_term_string}",
        },
        "query-input": "required name=search_term_string",
    }
    assert organization["@type"] == "Organization"
    assert organization["logo"]["url"] == "https://news.example.com/static/logo.png"
    with Image.open(finders.find("logo.png")) as logo:
        assert logo.format == "PNG" and logo.size == (512, 512)


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "news.example.com:8443", "attacker.example"])
def test_canonical_and_shared_addresses_are_the_sites_whatever_the_host(client, settings, host):
    """A Host with a port, or one a proxy let through, names no address on the page."""
    settings.ALLOWED_HOSTS = ["*"]
    writer, topic = make_contributor(name="Dylan Patel"), make_topic(name="Chips")
    post = make_article(contributors=[writer], topics=[topic])
    for path in ("/", post.get_absolute_url(), writer.get_absolute_url(), topic.get_absolute_url(),
                 "/robots.txt"):  # fmt: skip
        html = client.get(path, headers={"host": host}).content.decode()
        assert host not in html
        addresses = re.findall(r'(?:href|content)="(https?://[^"]+)"|Sitemap: (\S+)', html)
        assert addresses and all(
            (found or sitemap).startswith(f"{SITE}/") for found, sitemap in addresses
        ), path
    front = client.get("/", headers={"host": host}).content.decode()
    assert f'<link rel="canonical" href="{SITE}/">' in front
    assert f'<meta property="og:url" content="{SITE}/">' in front
    page = client.get(post.get_absolute_url(), headers={"host": host}).content.decode()
    assert f'<meta property="og:url" content="{SITE}{post.get_absolute_url()}">' in page


def test_every_post_names_its_publisher_with_a_logo(client):
    data = json_ld(client.get(make_article().get_absolute_url()))
    assert data["publisher"]["logo"] == {
        "@type": "ImageObject",
        "url": "https://news.example.com/static/logo.png",
    }


@pytest.mark.parametrize(
    ("status", "publish_in", "said"),
    [
        (Article.Status.DRAFT, timedelta(days=-1), "this post is a draft and"),
        (Article.Status.SCHEDULED, timedelta(days=1), "this post is scheduled for"),
        (Article.Status.PUBLISHED, timedelta(days=1), "this post is published for"),
    ],
)
def test_unpublished_posts_are_404_to_the_public_and_previewable_by_staff(
    client, reader_client, staff_client, status, publish_in, said
):
    article = make_article(status=status, publish_at=timezone.now() + publish_in)
    url = article.get_absolute_url()

    assert client.get(url).status_code == 404
    assert reader_client.get(url).status_code == 404
    preview = staff_client.get(url)
    assert preview.status_code == 200
    assert "and not public yet." in preview.content.decode()
    assert f"Preview: {said}" in preview.content.decode()
    assert '<meta name="robots" content="noindex">' in preview.content.decode()


def test_unpublished_posts_stay_out_of_every_list(client):
    writer, topic = make_contributor(), make_topic()
    make_article(
        title="Secret draft", status=Article.Status.DRAFT, contributors=[writer], topics=[topic]
    )
    for url in ["/", writer.get_absolute_url(), topic.get_absolute_url(), "/search/?q=Secret"]:
        assert "Secret draft" not in client.get(url).content.decode(), url


def test_contributor_page_shows_profile_and_their_posts_only(client):
    writer = make_contributor(
        name="Molly Crabapple",
        role_line="Artist and writer in New York City.",
        bio="Draws things.",
        links="https://example.com/molly",
    )
    theirs = make_article(title="Against AI", contributors=[writer])
    make_article(title="Someone else's", contributors=[make_contributor()])

    response = client.get(f"/contributors/{writer.slug}/")

    assert response.status_code == 200
    assert listed(response) == [theirs]
    html = response.content.decode()
    assert "<h1>Molly Crabapple</h1>" in html
    assert "Artist and writer in New York City." in html
    assert "<p>Draws things.</p>" in html
    assert '<a href="https://example.com/molly" rel="me noopener">' in html


def test_topic_page_lists_posts_on_the_topic(client):
    topic = make_topic(name="Policy", description="Rules and who writes them.")
    on_topic = make_article(topics=[topic])
    make_article()

    response = client.get(f"/topics/{topic.slug}/")

    assert listed(response) == [on_topic]
    assert "Rules and who writes them." in response.content.decode()


@pytest.mark.parametrize("url", ["/articles/nope/", "/contributors/nope/", "/topics/nope/"])
def test_unknown_addresses_answer_the_sites_own_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "We can’t find that page" in response.content.decode()


def test_search_finds_posts_by_title_dek_and_body(client):
    by_title = make_article(title="Linux and the UNIX wars")
    by_dek = make_article(dek="How Linux won")
    by_body = make_article(body="A paragraph about Linux kernels.")
    make_article(title="Nothing relevant", body="Only crypto here.")

    response = client.get("/search/?q=linux")

    assert response.status_code == 200
    assert set(listed(response)) == {by_title, by_dek, by_body}
    assert "3 results for “linux”" in response.content.decode()
    assert 'role="search" action="/search/" method="get"' in response.content.decode()


def test_search_counts_every_match_on_every_page(client, settings):
    settings.ARTICLES_PER_PAGE = 2
    for n in range(5):
        make_article(title=f"Linux note {n}")
    for page, shown in [(1, 2), (3, 1)]:
        response = client.get(f"/search/?q=linux&page={page}")
        assert len(response.context["articles"]) == shown
        assert "5 results for “linux”" in response.content.decode()
    assert "0 results for “zeppelin”" in client.get("/search/?q=zeppelin").content.decode()


def test_search_needs_every_word(client):
    both = make_article(body="Open models and Linux.")
    make_article(body="Only Linux.")
    assert listed(client.get("/search/?q=linux models")) == [both]


def test_search_without_words_shows_only_the_form(client):
    make_article()
    response = client.get("/search/?q=   ")
    assert response.status_code == 200
    assert "result" not in response.content.decode().split("</header>")[1]


def test_search_escapes_the_query_and_caps_its_length(client):
    response = client.get("/search/", {"q": "<script>x</script>" + "a" * 500})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>x" not in html
    assert response.context["query"] == ("<script>x</script>" + "a" * 500)[:200]


def test_search_with_no_match_says_so(client):
    make_article()
    response = client.get("/search/?q=zebra")
    assert "No posts match those words." in response.content.decode()


def test_cards_badge_members_only_posts_and_show_no_body(client):
    insider = make_tier(name="Insider")
    make_article(
        title="For members", body="Body words here.", visibility=Article.Visibility.MEMBERS
    )
    make_article(title="For insiders", visibility=Article.Visibility.TIER, minimum_tier=insider)
    html = client.get("/").content.decode()
    assert '<p class="badge">Members only</p>' in html
    assert '<p class="badge">Insider members</p>' in html
    assert "Body words here." not in html


def test_list_pages_need_no_count_of_the_archive(client, settings, django_assert_num_queries):
    settings.ARTICLES_PER_PAGE = 2
    for _ in range(5):
        make_article()
    # The lead story, the page with one row more, then the posts of the cards not yet
    # cached and their bylines, and the menus: no COUNT.
    with django_assert_num_queries(5) as queries:
        page_two = client.get("/?page=2")
    assert not any("COUNT(" in q["sql"] for q in queries.captured_queries)
    html = page_two.content.decode()
    assert 'rel="prev" href="?page=1"' in html and 'rel="next" href="?page=3"' in html
    assert "<span>Page 2</span>" in html
    last = client.get("/?page=3").content.decode()
    assert 'rel="next"' not in last


def test_only_pictures_below_the_first_card_load_lazily(client):
    topic = make_topic()
    for n in range(3):
        make_article(topics=[topic], hero_image=image_upload(), hero_alt=f"Picture {n}")
    pictures = re.findall(r"<img [^>]+>", client.get(topic.get_absolute_url()).content.decode())
    assert ['loading="lazy"' in img for img in pictures] == [False, True, True]
    make_article(featured=True, hero_image=image_upload(), hero_alt="The lead")
    front = re.findall(r"<img [^>]+>", client.get("/").content.decode())
    assert ['loading="lazy"' in img for img in front] == [False, True, True, True]


def test_a_share_card_that_cannot_be_stored_never_fails_the_page(client, monkeypatch, caplog):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(default_storage, "save", full_disk)
    article = make_article(title="Written on a full disk")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert '<meta property="og:image" content="https://news.example.com/static/logo.png">' in (
        response.content.decode()
    )
    assert f"The share picture of post {article.pk} could not be drawn" in caplog.text
