"""The post page's cached fragments never outlive a change to what they show.

Each test renders the page once (filling the cache), changes one thing the page
shows, and expects the next visit to show it. updated_at is the revision the
fragments are keyed by: articles/revisions.py moves it.
"""

import pytest

from articles.models import Article, Byline, PullQuote
from tests.factories import make_article, make_contributor, make_tier, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer():
    return make_contributor(name="Ada Byline", role_line="Editor")


@pytest.fixture
def topic():
    return make_topic(name="Open Models")


@pytest.fixture
def article(writer, topic):
    return make_article(contributors=[writer], topics=[topic], title="Cached essay")


def page(client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_visit_is_served_from_the_fragments(client, article, django_assert_num_queries):
    first = page(client, article)
    with django_assert_num_queries(2):  # the post itself, to learn its revision; the menus
        assert page(client, article) == first


def test_renaming_a_contributor_shows_on_their_posts(client, article, writer):
    assert "Ada Byline" in page(client, article)
    writer.name, writer.role_line = "Ada Renamed", "Publisher"
    writer.save()
    html = page(client, article)
    assert "Ada Renamed" in html and "Publisher" in html and "Ada Byline" not in html
    assert '"name": "Ada Renamed"' in html  # the structured data too


def test_byline_changes_show(client, article, writer):
    page(client, article)
    other = make_contributor(name="Second Writer")
    byline = Byline.objects.create(article=article, contributor=other, order=1)
    assert "Second Writer" in page(client, article)
    byline.delete()
    assert "Second Writer" not in page(client, article)


def test_topic_changes_show(client, article, topic):
    page(client, article)
    topic.name = "Closed Models"
    topic.save()
    assert ">Closed Models</a>" in page(client, article)
    added = make_topic(name="Markets")
    added.articles.add(article)  # from the topic's side
    assert ">Markets</a>" in page(client, article)
    article.topics.remove(added)
    assert ">Markets</a>" not in page(client, article)
    added.articles.add(article)
    page(client, article)
    added.articles.clear()
    assert ">Markets</a>" not in page(client, article)
    topic.delete()
    assert 'class="kicker"' not in page(client, article)


def test_renaming_a_tier_shows_on_its_posts_badge(client):
    tier = make_tier(name="Insider")
    article = make_article(visibility=Article.Visibility.TIER, minimum_tier=tier)
    assert "Insider members</span>" in page(client, article)
    tier.name = "Inner Circle"
    tier.save()
    assert "Inner Circle members</span>" in page(client, article)


def test_pull_quote_changes_show(client, article):
    quote = PullQuote.objects.create(article=article, text="First words", attribution="A")
    page(client, article)
    quote.text = "Second words"
    quote.save()
    assert "Second words" in page(client, article)


def test_each_change_moves_the_revision(article, writer, topic):
    def revision():
        return Article.objects.get(pk=article.pk).updated_at

    before = revision()
    writer.save()
    after_writer = revision()
    topic.save()
    after_topic = revision()
    assert before < after_writer < after_topic


def test_readers_who_may_read_it_all_and_visitors_get_their_own_fragment(
    client, reader_client, staff_client
):
    article = make_article(
        visibility=Article.Visibility.MEMBERS,
        body="Free words.\n\n<!--members-only-->\n\nPaid words.",
    )
    assert "Paid words" not in page(client, article)
    assert "Paid words" in page(staff_client, article)
    assert "Paid words" not in page(client, article)
    assert "Paid words" not in page(reader_client, article)
