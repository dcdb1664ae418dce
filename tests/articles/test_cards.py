"""List pages' cards, kept by each worker under their post's revision, and each page's
whole list under what it shows (articles/cards.py)."""

import re

import pytest
from django.test import Client

from articles.models import Article
from tests.factories import make_article, make_contributor, make_member, make_tier, make_topic

pytestmark = pytest.mark.django_db


def cards_of(html: str) -> list[str]:
    return re.findall(r'<article class="card.*?</article>', html, re.S)


@pytest.mark.parametrize("page", ["topic", "contributor", "search"])
def test_a_list_served_again_renders_no_card_and_fetches_no_byline(
    client, django_assert_max_num_queries, page
):
    writer, topic = make_contributor(name="Ann Writer"), make_topic()
    for n in range(3):
        make_article(title=f"Ledger {n}", contributors=[writer], topics=[topic])
    url = {
        "topic": topic.get_absolute_url(),
        "contributor": writer.get_absolute_url(),
        "search": "/search/?q=Ledger",
    }[page]
    first = client.get(url).content.decode()
    # The page and its topic, writer or count, and the menus; on PostgreSQL search adds its
    # time limit.
    with django_assert_max_num_queries(6 if page == "search" else 3) as queries:
        again = client.get(url).content.decode()
    # (The contributor's list names its posts by their bylines, but fetches none.)
    assert not any(
        q["sql"].startswith('SELECT "articles_byline"') for q in queries.captured_queries
    )
    assert cards_of(again) == cards_of(first) and len(cards_of(first)) == 3
    assert again.count("Ann Writer") >= 3


@pytest.mark.parametrize(
    "address", ["/", "/?page=2", "/search/?q=Ledger", "/search/?q=Ledger&page=2"]
)
def test_a_list_asked_again_is_rendered_once(client, settings, address):
    settings.ARTICLES_PER_PAGE = 2
    make_article(title="Ledger lead", featured=True)
    for n in range(4):
        make_article(title=f"Ledger {n}")
    first = client.get(address)
    again = client.get(address)
    assert again.content == first.content
    rendered = [template.name for template in again.templates]
    assert "articles/includes/article_list.html" not in rendered
    assert "articles/includes/card.html" not in rendered
    # Each page keeps its own list: its own posts and links to other pages.
    html = again.content.decode()
    page = 2 if "page=2" in address else 1
    assert f"<span>Page {page}</span>" in html
    assert ('rel="prev"' in html) == (page == 2)


def test_a_list_with_nothing_in_it_says_so_as_its_page_does(client):
    topic, writer = make_topic(), make_contributor()
    expected = {
        "/": "Nothing published here yet.",
        topic.get_absolute_url(): "No posts on this topic yet.",
        writer.get_absolute_url(): "No posts published yet.",
        "/search/?q=zebras": "No posts match those words. Try fewer or different words.",
    }
    for _ in range(2):  # made, then kept: each under its own message
        for address, message in expected.items():
            assert f'<p class="empty">{message}</p>' in client.get(address).content.decode()


def test_a_card_shows_every_change_to_what_it_shows_at_once(client):
    writer, tier = make_contributor(name="Ann Writer"), make_tier(name="Gold")
    post = make_article(
        title="First title", contributors=[writer], visibility="tier", minimum_tier=tier
    )
    assert "Ann Writer" in client.get("/").content.decode()
    writer.name = "Ann Renamed"
    writer.save()
    tier.name = "Platinum"
    tier.save()
    Article.objects.filter(pk=post.pk).update(title="Second title")
    (card,) = cards_of(client.get("/").content.decode())
    assert "Ann Renamed" in card and "Platinum members" in card and "Second title" in card
    assert "Ann Writer" not in card and "Gold" not in card and "First title" not in card


def test_every_reader_gets_the_same_card(client):
    tier = make_tier(name="Gold")
    make_article(
        title="For Gold", visibility="tier", minimum_tier=tier, body="Hidden sentence. " * 50
    )
    member = Client()
    member.force_login(make_member(tier))
    as_visitor = cards_of(client.get("/").content.decode())
    as_member = cards_of(member.get("/").content.decode())
    assert as_visitor == as_member and "Gold members" in as_visitor[0]
    assert "Hidden sentence" not in as_visitor[0]
