"""Pages make a fixed number of queries, whatever the number of posts, writers and quotes."""

import pytest
from django.db import connection

from articles.models import Article
from tests.factories import make_article, make_contributor, make_member, make_tier, make_topic

pytestmark = pytest.mark.django_db

QUOTES = [{"text": f"Quote {n}", "attribution": "Someone", "position": n} for n in range(5)]


def fill(count: int):
    writers = [make_contributor() for _ in range(3)]
    topics = [make_topic() for _ in range(2)]
    tier = make_tier()
    visibility = [
        {"visibility": Article.Visibility.PUBLIC},
        {"visibility": Article.Visibility.MEMBERS},
        {"visibility": Article.Visibility.TIER, "minimum_tier": tier},
    ]
    articles = [
        make_article(
            contributors=writers,
            topics=topics,
            pull_quotes=QUOTES,
            featured=n == 0,
            **visibility[n % 3],
        )
        for n in range(count)
    ]
    return writers[0], topics[0], articles[-1]


@pytest.mark.parametrize("count", [2, 12])
def test_list_pages_stay_within_five_queries(
    client, django_assert_max_num_queries, count, settings
):
    settings.SEARCH_TIMEOUT_MS = 0  # no time limit: the queries of the search itself
    writer, topic, _ = fill(count)
    for url in ["/", "/?page=2" if count > 11 else "/", writer.get_absolute_url(),
                topic.get_absolute_url(), "/search/?q=paragraph", "/feed/"]:  # fmt: skip
        with django_assert_max_num_queries(5):  # four, and the menus (not the feed's)
            assert client.get(url).status_code == 200


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")
def test_search_on_postgresql_adds_only_its_time_limit(client, django_assert_num_queries):
    """The page, counted in its own query, then the posts of the cards not yet kept and
    their bylines, as on SQLite, inside a transaction that sets statement_timeout
    (set_config; here also the savepoint and its release), and the menus. Served again,
    the cards are kept."""
    fill(12)
    with django_assert_num_queries(7) as captured:
        assert client.get("/search/?q=paragraph").status_code == 200
    assert "set_config('statement_timeout'" in captured.captured_queries[1]["sql"]
    # Planned for its own words, never by a prepared statement's generic plan.
    assert (
        "set_config('plan_cache_mode', 'force_custom_plan'" in captured.captured_queries[1]["sql"]
    )
    with django_assert_num_queries(5):
        assert client.get("/search/?q=paragraph").status_code == 200


@pytest.mark.parametrize("count", [1, 10])
def test_post_page_stays_within_four_queries(client, django_assert_num_queries, count):
    *_, article = fill(count)
    with django_assert_num_queries(4):  # the post, its byline, its topics, the menus
        response = client.get(article.get_absolute_url())
    assert response.content.decode().count('class="pull-quote"') == 5
    assert response.content.decode().count('class="byline__name"') == 3


# Queries on a post page, first visit (its fragments rendered, with its byline and
# topics) and repeat visit (served from the worker's fragment cache): the post's row,
# with its package and the texts the gate may let through, is read on every visit. A
# member's first two are the session and the user with their membership. The menus are
# read on every visit, but where Redis keeps them (LIST_CACHE).
POST_PAGE_QUERIES = {
    ("visitor", "public"): (4, 2),
    ("visitor", "members"): (4, 2),
    ("visitor", "tier"): (4, 2),
    ("member", "public"): (6, 4),
    ("member", "members"): (6, 4),
    ("member", "tier"): (6, 4),
}


@pytest.mark.parametrize(("reader", "visibility"), list(POST_PAGE_QUERIES))
def test_post_page_queries(reader, visibility, client, django_assert_num_queries):
    writer, topic, _ = fill(3)
    tier = make_tier()
    article = make_article(
        contributors=[writer, make_contributor()],
        topics=[topic, make_topic()],
        visibility=visibility,
        minimum_tier=tier if visibility == "tier" else None,
    )
    if reader == "member":
        client.force_login(make_member(tier))
    first, repeat = POST_PAGE_QUERIES[reader, visibility]
    with django_assert_num_queries(first):
        assert client.get(article.get_absolute_url()).status_code == 200
    with django_assert_num_queries(repeat):
        page = client.get(article.get_absolute_url()).content.decode()
    assert page.count('class="byline__name"') == 2
    assert ("Third paragraph." in page) is (reader == "member" or visibility == "public")
