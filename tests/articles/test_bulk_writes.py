"""Bulk writes (update, bulk_update, queryset delete) change pages as save() does.

Django sends no signal for them, so the querysets move each post's revision
and the page cache on themselves.
"""

from datetime import timedelta

import pytest
from django.test import Client

from articles.models import Article, Byline, Contributor, PullQuote, Topic
from members.models import Tier
from tests.factories import make_article, make_contributor, make_tier, make_topic

pytestmark = pytest.mark.django_db

SECRET = "Paid words past the cut."


@pytest.fixture(autouse=True, params=["per-process cache", "Redis"])
def page_cache(request, settings):
    if request.param == "Redis":
        request.getfixturevalue("redis_cache")
    settings.PAGE_CACHE = True


def page(url: str) -> str:
    return Client().get(url).content.decode()


@pytest.fixture
def post():
    article = make_article(body=f"Free words.\n\n<!--members-only-->\n\n{SECRET}")
    for url in (article.get_absolute_url(), "/feed/", "/"):
        page(url)  # cached for visitors
    return article


def test_update_hides_a_post_made_members_only(post):
    Article.objects.filter(pk=post.pk).update(visibility=Article.Visibility.MEMBERS)
    assert SECRET not in page(post.get_absolute_url())
    assert SECRET not in page("/feed/")


def test_bulk_update_hides_a_post_made_members_only(post):
    post.visibility = Article.Visibility.MEMBERS
    Article.objects.bulk_update([post], ["visibility"])
    assert SECRET not in page(post.get_absolute_url())
    assert SECRET not in page("/feed/")


def test_update_moves_the_revision(post):
    before = post.updated_at
    Article.objects.filter(pk=post.pk).update(title="Retitled in bulk")
    post.refresh_from_db()
    assert post.updated_at > before
    assert "Retitled in bulk" in page(post.get_absolute_url())


def test_update_of_the_body_renders_it_again(post):
    Article.objects.filter(pk=post.pk).update(body="A new *body* in bulk.")
    post.refresh_from_db()
    assert post.body_html == "<p>A new <em>body</em> in bulk.</p>"
    assert "A new <em>body</em> in bulk." in page(post.get_absolute_url())


def test_delete_takes_the_post_off_every_page(post):
    Article.objects.filter(pk=post.pk).delete()
    assert Client().get(post.get_absolute_url()).status_code == 404
    assert post.title not in page("/")


def test_a_filter_that_no_longer_matches_after_the_update_still_invalidates(post):
    Article.objects.filter(visibility=Article.Visibility.PUBLIC).update(
        publish_at=post.publish_at + timedelta(days=3650)
    )
    assert Client().get(post.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    "change",
    ["contributor", "contributor bulk_update", "topic", "tier", "byline", "pull quote"],
)
def test_related_rows_updated_in_bulk_show_at_once(change):
    writer = make_contributor(name="Old Name")
    topic = make_topic(name="Old Topic")
    tier = make_tier(name="Old Tier")
    article = make_article(
        contributors=[writer], topics=[topic], visibility=Article.Visibility.TIER,
        minimum_tier=tier, pull_quotes=[{"text": "Old quote", "attribution": "x", "position": 0}],
    )  # fmt: skip
    url = article.get_absolute_url()
    page(url)
    revision = article.updated_at
    if change == "contributor":
        Contributor.objects.filter(pk=writer.pk).update(name="New words")
    elif change == "contributor bulk_update":
        writer.name = "New words"
        Contributor.objects.bulk_update([writer], ["name"])
    elif change == "topic":
        Topic.objects.filter(pk=topic.pk).update(name="New words")
    elif change == "tier":
        Tier.objects.filter(pk=tier.pk).update(name="New words")
    elif change == "byline":
        other = make_contributor(name="New words")
        Byline.objects.filter(article=article).update(contributor=other)
    else:
        PullQuote.objects.filter(article=article).update(text="New words")
    assert "New words" in page(url)
    article.refresh_from_db()
    assert article.updated_at > revision


def test_pull_quotes_deleted_in_bulk_leave_the_body():
    article = make_article(pull_quotes=[{"text": "A quote to lose", "attribution": "x"}])
    page(article.get_absolute_url())
    PullQuote.objects.filter(article=article).delete()
    article.refresh_from_db()
    assert "A quote to lose" not in article.body_html
    assert "A quote to lose" not in page(article.get_absolute_url())
