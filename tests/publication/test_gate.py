"""The members-only gate on the post page, for each kind of reader."""

import json
import re

import pytest
from django.test import Client

from articles.models import Article
from members.models import Membership
from tests.factories import make_article, make_contributor, make_member, make_tier

pytestmark = pytest.mark.django_db

BODY = (
    "Free opening paragraph.\n\nFree second paragraph.\n\n<!--members-only-->\n\n"
    "Paid paragraph one.\n\nPaid paragraph two."
)
# The seed's gate, in the plainer words of issue 30: "See the membership packages", and
# "Log in" as the header says it.
SEED_GATE = (
    '<h2 id="gate-heading" class="gate__title">This post is for members only.</h2>\n'
    '  <p>To keep reading this post, <a href="/membership/apply/?from=/articles/gated/">apply '
    "to join our Member "
    'Waitlist</a>. <a href="/membership/">See the membership packages</a>.</p>\n'
    '  <p>Already a member? <a href="/accounts/login/?next=/articles/gated/">Log in</a></p>'
)


def client_for(user=None) -> Client:
    client = Client()
    if user:
        client.force_login(user)
    return client


@pytest.fixture
def insider():
    return make_tier(name="Insider", slug="insider", rank=2)


@pytest.fixture
def gated():
    return make_article(slug="gated", body=BODY, visibility=Article.Visibility.MEMBERS)


def page(client: Client, article: Article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_visitor_reads_the_preview_then_the_seeds_gate_word_for_word(gated):
    html = page(client_for(), gated)
    assert "Free second paragraph." in html
    assert "Paid paragraph" not in html
    assert SEED_GATE in html


def test_the_gate_stands_right_after_the_preview(gated):
    html = page(client_for(), gated)
    assert html.index("Free second paragraph.") < html.index("This post is for members only.")


def test_without_a_marker_the_preview_is_the_first_paragraphs(settings):
    settings.MEMBERS_PREVIEW_PARAGRAPHS = 1
    article = make_article(body="One.\n\nTwo.\n\nThree.", visibility=Article.Visibility.MEMBERS)
    html = page(client_for(), article)
    assert "<p>One.</p>" in html
    assert "Two." not in html


def test_pull_quotes_beyond_the_cut_stay_behind_the_gate(gated):
    gated.pull_quotes.create(text="Early quote", attribution="A", position=1)
    gated.pull_quotes.create(text="Late quote", attribution="B", position=3)
    html = page(client_for(), gated)
    assert "Early quote" in html
    assert "Late quote" not in html


def test_a_tier_post_invites_visitors_to_apply_for_that_tier(insider):
    article = make_article(
        slug="tiered", body=BODY, visibility=Article.Visibility.TIER, minimum_tier=insider
    )
    html = page(client_for(), article)
    assert (
        '<a href="/membership/apply/?tier=insider&amp;from=/articles/tiered/">apply to join our '
        "Member Waitlist</a>"
    ) in html
    # The gate names the package, as the post's badge does.
    assert (
        '<h2 id="gate-heading" class="gate__title">This post is for Insider members.</h2>' in html
    )
    assert "This post is for members only." not in html


def test_a_logged_in_reader_without_membership_is_not_asked_to_log_in(gated, django_user_model):
    plain = django_user_model.objects.create_user("plain@example.com")
    html = page(client_for(plain), gated)
    assert "This post is for members only." in html
    assert "Already a member?" not in html
    assert "Paid paragraph" not in html


def test_a_lower_tier_member_is_told_which_tier_includes_it(insider):
    article = make_article(body=BODY, visibility=Article.Visibility.TIER, minimum_tier=insider)
    member = make_member(make_tier(name="Reader", rank=1))

    html = page(client_for(member), article)

    assert "This post is for Insider members." in html
    assert "Your Reader membership does not include it" in html
    assert (
        "the Insider package and those above it do. "
        '<a href="/membership/">See the membership packages</a>.'
    ) in html
    assert "Free second paragraph." in html
    assert "Paid paragraph" not in html


def test_a_lapsed_member_is_told_the_membership_has_ended(gated):
    lapsed = make_member(status=Membership.Status.ENDED)
    html = page(client_for(lapsed), gated)
    assert "Your membership has ended." in html
    assert (
        'To keep reading it, <a href="/membership/apply/?from=/articles/gated/">apply to join our '
        "Member Waitlist</a>"
        ' again. <a href="/membership/">See the membership packages</a>.'
    ) in html
    assert "Free second paragraph." in html
    assert "Paid paragraph" not in html


@pytest.mark.parametrize("who", ["member", "staff", "contributor"])
def test_entitled_readers_read_it_all_without_a_gate(gated, insider, django_user_model, who):
    if who == "member":
        user = make_member(insider)
    elif who == "staff":
        user = django_user_model.objects.create_user("s@example.com", is_staff=True)
    else:
        user = django_user_model.objects.create_user("w@example.com")
        gated.bylines.create(contributor=make_contributor(user=user))
    html = page(client_for(user), gated)
    assert "Paid paragraph two." in html
    assert 'class="members-only' not in html


def test_a_public_post_has_no_gate():
    article = make_article(body=BODY)
    html = page(client_for(), article)
    assert "Paid paragraph two." in html
    assert "This post is for members only." not in html


def test_gated_posts_are_marked_for_search_engines(gated):
    html = page(client_for(), gated)
    data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["isAccessibleForFree"] is False
    assert data["hasPart"] == {
        "@type": "WebPageElement",
        "isAccessibleForFree": False,
        "cssSelector": ".post__body",
    }
    # The element it names holds the paywalled text for a reader entitled to it.
    member_html = page(client_for(make_member()), gated)
    body = member_html.split('<div class="post__body">')[1].split("</div>")[0]
    assert "Paid paragraph two." in body


def test_public_posts_are_not_marked_as_paywalled():
    html = page(client_for(), make_article())
    assert "isAccessibleForFree" not in html


def test_pages_say_they_differ_by_reader(gated):
    visitor = client_for().get(gated.get_absolute_url())
    assert "Cookie" in visitor["Vary"]
    member = client_for(make_member()).get(gated.get_absolute_url())
    assert "Cookie" in member["Vary"]
    assert set(member["Cache-Control"].split(", ")) == {"private", "no-store"}
    home = client_for(make_member()).get("/")
    assert set(home["Cache-Control"].split(", ")) == {"private", "no-store"}


@pytest.mark.parametrize("address", ["/feed/", "/robots.txt"])
def test_pages_that_never_ask_who_is_reading_do_not_load_the_reader(
    address, django_assert_num_queries
):
    member, visitor = client_for(make_member()), client_for()
    visitor.get(address), member.get(address)  # each page's parts kept
    with django_assert_num_queries(1 if address == "/feed/" else 0) as queries:
        visitor.get(address)
    expected = len(queries) + 1  # the member's session, in the database here; no reader
    with django_assert_num_queries(expected):
        response = member.get(address)
    assert set(response["Cache-Control"].split(", ")) == {"private", "no-store"}


def test_the_middleware_leaves_other_pages_alone(gated):
    response = client_for().get("/")
    assert "access" not in response.context
    assert "body_html" not in response.context


def test_post_page_query_budget(gated, insider, django_assert_max_num_queries):
    visitor, member = client_for(), client_for(make_member(insider))
    with django_assert_max_num_queries(4):
        visitor.get(gated.get_absolute_url())
    with django_assert_max_num_queries(6):
        assert "Paid paragraph two." in member.get(gated.get_absolute_url()).content.decode()
