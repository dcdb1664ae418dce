"""Search looks in the text readers see, means the same for every reader, and is bounded."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from articles import models
from articles.models import Article
from tests.factories import listed, make_article, make_member

pytestmark = pytest.mark.django_db


def found(client: Client, query: str) -> set[Article]:
    return set(listed(client.get("/search/", {"q": query})))


def test_an_editors_html_comment_is_not_searchable(client):
    make_article(body="A public essay.\n\n<!-- note to self: embargoed until Friday -->\n\nMore.")
    assert found(client, "embargoed") == set()


def test_a_links_address_is_not_searchable_but_its_words_are(client):
    post = make_article(body="Read [the filing](https://example.com/secretdossier) first.")
    assert found(client, "secretdossier") == set()
    assert found(client, "filing") == {post}


def test_search_reads_the_rendered_text_after_a_bulk_update(client):
    post = make_article(body="Nothing yet.")
    Article.objects.filter(pk=post.pk).update(body="Now about *zeppelins*.")
    assert found(client, "zeppelins") == {post}


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="web-search syntax is PostgreSQL's")
def test_minus_a_word_leaves_out_posts_whose_readable_text_has_it():
    public = make_article(title="Essay on ports", body="Ships and harbours.")
    members_only = make_article(
        title="Essay on tolls",
        body="Free words.\n\n<!--members-only-->\n\nShips pay tolls here.",
        visibility=Article.Visibility.MEMBERS,
    )
    visitor, member = Client(), Client()
    member.force_login(make_member())

    # Whoever reads the public post whole: its body has "ships", so "-ships" leaves it out.
    assert found(visitor, "essay -ships") == {members_only}  # the visitor reads the free text
    assert found(member, "essay -ships") == set()
    assert found(member, "essay -harbours") == {members_only}
    assert public not in found(visitor, "essay -harbours")


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking is PostgreSQL's")
def test_only_the_newest_matches_are_ranked(client, monkeypatch):
    monkeypatch.setattr(models, "SEARCH_CANDIDATES", 3)
    posts = [make_article(title=f"Common word {n}") for n in range(5)]
    newest = sorted(posts, key=lambda post: post.publish_at)[-3:]
    assert found(client, "common") == set(newest)


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking is PostgreSQL's")
def test_a_match_in_the_title_ranks_above_one_in_the_standfirst_then_the_body(client):
    now = timezone.now()
    in_title = make_article(title="Walrus season", publish_at=now - timedelta(days=3))
    in_dek = make_article(title="Other", dek="A walrus", publish_at=now - timedelta(days=2))
    in_body = make_article(
        title="Third", body="A walrus again.", publish_at=now - timedelta(days=1)
    )
    ranked = listed(client.get("/search/", {"q": "walrus"}))
    assert ranked == [in_title, in_dek, in_body]
    with connection.cursor() as cursor:  # no ORM: the trigger keeps the heading too
        cursor.execute("UPDATE articles_article SET title = 'Plain' WHERE id = %s", [in_title.pk])
    ranked = listed(client.get("/search/", {"q": "walrus"}))
    assert ranked == [in_dek, in_body]


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")
def test_a_search_over_its_time_asks_for_more_words(client, settings, monkeypatch):
    settings.SEARCH_TIMEOUT_MS = 50
    make_article(title="Slow search")
    search = models.ArticleQuerySet.search

    def slow(self, query, *, readable):  # a search that takes 200 ms in the database
        return search(self, query, readable=readable).extra(where=["pg_sleep(0.2) IS NOT NULL"])

    monkeypatch.setattr(models.ArticleQuerySet, "search", slow)
    response = client.get("/search/", {"q": "slow"})
    assert response.status_code == 200
    assert (
        "That search took too long. Try a more specific search: add a word, or put a phrase "
        "in quotes." in response.content.decode()
    )
    assert list(response.context["articles"]) == []
    assert client.get("/").status_code == 200  # the connection is fine afterwards


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored vectors are PostgreSQL's")
def test_the_stored_search_vectors_follow_every_write(client):
    post = make_article(title="Plain title")
    with connection.cursor() as cursor:  # no ORM at all: the trigger still sees it
        cursor.execute(
            "UPDATE articles_article SET title = 'Zeppelin title' WHERE id = %s", [post.pk]
        )
    assert found(client, "zeppelin") == {post}
    [bulk] = Article.objects.bulk_create(
        [Article(title="Bulk quagga", slug="bulk", status="published", publish_at=post.publish_at)]
    )
    assert found(client, "quagga") == {bulk}
