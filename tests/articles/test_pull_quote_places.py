"""Pull quotes stand after a block chosen from the body's own blocks, and stay with it."""

import pytest

from articles import rendering
from articles.models import Article, PullQuote
from tests.articles.test_admin import admin_url, change_form
from tests.factories import make_article

pytestmark = pytest.mark.django_db

BODY = "## The start\n\nOne paragraph.\n\nTwo paragraph.\n\n- a list\n- of things"


def key_of(body: str, number: int) -> str:
    return rendering.parse_body(body).keys[number - 1]


def quoted_after(article: Article) -> str:
    """The text of the block the quote stands after, as the page shows it."""
    article.refresh_from_db()
    before, _quote = article.body_html.split('<figure class="pull-quote">')
    return rendering.text_of(before.rsplit("\n", 2)[-2]).removesuffix(" #")


def test_the_select_offers_the_bodys_blocks_by_their_first_words(staff_client):
    article = make_article(body=BODY, pull_quotes=[{"text": "Q", "attribution": "A"}])

    page = staff_client.get(admin_url("articles.article", "change", article.pk))

    form = page.context["inline_admin_formsets"][1].formset.forms[0]
    assert list(form.fields["after_block"].choices) == [
        ("", "At the start, before the first block"),
        (key_of(BODY, 1), "Heading 1: “The start”"),
        (key_of(BODY, 2), "Paragraph 2: “One paragraph.”"),
        (key_of(BODY, 3), "Paragraph 3: “Two paragraph.”"),
        (key_of(BODY, 4), "List 4: “a list of things”"),
    ]


def test_a_quote_given_as_a_count_of_blocks_names_its_block():
    article = make_article(
        body=BODY, pull_quotes=[{"text": "Q", "attribution": "A", "position": 2}]
    )
    quote = article.pull_quotes.get()
    assert (quote.after_block, quote.position) == (key_of(BODY, 2), 2)
    assert quoted_after(article) == "One paragraph."


def test_staff_choose_the_block_and_the_quote_stands_after_it(staff_client):
    article = make_article(body=BODY, pull_quotes=[{"text": "Q", "attribution": "A"}])

    response = staff_client.post(
        admin_url("articles.article", "change", article.pk),
        change_form(article, **{"pull_quotes-0-after_block": key_of(BODY, 3)}),
    )

    assert response.status_code == 302
    assert quoted_after(article) == "Two paragraph."


def test_the_quote_stays_with_its_block_when_the_body_grows_above_it(staff_client):
    article = make_article(
        body=BODY, pull_quotes=[{"text": "Q", "attribution": "A", "position": 3}]
    )
    grown = "A new opening paragraph.\n\n" + BODY.replace("## The start", "## A new start\n\nMore.")

    response = staff_client.post(
        admin_url("articles.article", "change", article.pk), change_form(article, body=grown)
    )

    assert response.status_code == 302
    assert quoted_after(article) == "Two paragraph."
    assert article.pull_quotes.get().position == 5  # counted where it is now


def test_a_quote_whose_block_was_edited_away_is_said_plainly_and_nothing_is_saved(staff_client):
    article = make_article(
        body=BODY, pull_quotes=[{"text": "Q", "attribution": "A", "position": 3}]
    )
    edited = BODY.replace("Two paragraph.", "Two paragraphs, rewritten.")

    response = staff_client.post(
        admin_url("articles.article", "change", article.pk), change_form(article, body=edited)
    )

    assert response.status_code == 200
    form = response.context["inline_admin_formsets"][1].formset.forms[0]
    assert form.errors["after_block"] == [
        "The block this quote stood after is no longer in the body. Choose where it stands now."
    ]
    # The choices are the body just typed, so staff can pick the rewritten paragraph.
    assert (key_of(edited, 3), "Paragraph 3: “Two paragraphs, rewritten.”") in list(
        form.fields["after_block"].choices
    )
    assert response.context["adminform"].form["body"].value() == edited  # nothing lost
    article.refresh_from_db()
    assert article.body == BODY


def test_a_block_gone_by_another_route_keeps_the_quote_in_place_and_the_page_says_so(
    staff_client,
):
    article = make_article(
        body=BODY, pull_quotes=[{"text": "Q", "attribution": "A", "position": 3}]
    )
    edited = BODY.replace("Two paragraph.", "Changed by an import.")
    Article.objects.filter(pk=article.pk).update(body=edited)

    assert quoted_after(article) == "Changed by an import."  # where it last stood
    page = staff_client.get(admin_url("articles.article", "change", article.pk))
    form = page.context["inline_admin_formsets"][1].formset.forms[0]
    assert form.fields["after_block"].help_text == (
        "The block this quote stood after is gone from the body. It stands where it was "
        "for now: choose where it stands and save."
    )
    assert form["after_block"].value() == key_of(edited, 3)


def test_at_the_start_puts_it_before_the_first_block(staff_client):
    article = make_article(
        body=BODY, pull_quotes=[{"text": "Q", "attribution": "A", "position": 3}]
    )

    staff_client.post(
        admin_url("articles.article", "change", article.pk),
        change_form(article, **{"pull_quotes-0-after_block": ""}),
    )

    article.refresh_from_db()
    assert article.body_html.startswith('<figure class="pull-quote">')
    assert PullQuote.objects.get().position == 0


def test_a_paragraph_said_twice_is_told_apart():
    body = "Same.\n\nOther.\n\nSame."
    assert list(rendering.block_choices(body)) == [
        (key_of(body, 1), "Paragraph 1: “Same.”"),
        (key_of(body, 2), "Paragraph 2: “Other.”"),
        (f"{key_of(body, 1)}-2", "Paragraph 3: “Same.”"),
    ]
    article = make_article(
        body=body, pull_quotes=[{"text": "Q", "attribution": "A", "position": 3}]
    )
    assert article.body_html.endswith(
        "<p>Same.</p>\n" + rendering.pull_quote_html(rendering.Quote("Q", "A", "", 3))
    )
