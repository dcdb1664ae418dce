from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.models import Article, Contributor, PullQuote
from tests.factories import make_article, make_contributor

pytestmark = pytest.mark.django_db


def test_published_holds_only_posts_whose_time_has_come():
    now = timezone.now()
    live = make_article(status=Article.Status.PUBLISHED, publish_at=now - timedelta(hours=1))
    due = make_article(status=Article.Status.SCHEDULED, publish_at=now - timedelta(minutes=1))
    make_article(status=Article.Status.SCHEDULED, publish_at=now + timedelta(days=1))
    make_article(status=Article.Status.PUBLISHED, publish_at=now + timedelta(days=1))
    make_article(status=Article.Status.DRAFT, publish_at=now - timedelta(days=1))

    assert set(Article.objects.published()) == {live, due}


def test_publishing_without_a_time_publishes_now():
    article = make_article(status=Article.Status.PUBLISHED, publish_at=None)
    assert article.publish_at is not None
    assert article.publish_at <= timezone.now()
    assert article.is_public_now


def test_scheduled_post_needs_a_publish_time():
    article = Article(title="T", slug="t", status=Article.Status.SCHEDULED)
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert error.value.message_dict["publish_at"] == [
        "Choose when this scheduled post goes public."
    ]


def test_picture_needs_a_description(tmp_path):
    article = Article(title="T", slug="t", hero_image="heroes/x.jpg")
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert error.value.message_dict["hero_alt"] == [
        "Describe the picture for readers who cannot see it."
    ]


def test_saving_renders_the_body_and_reading_time():
    article = make_article(body="Hello *world*.\n\n" + "word " * 500)
    assert article.body_html.startswith("<p>Hello <em>world</em>.</p>")
    assert article.reading_minutes == 3


def test_adding_and_removing_a_pull_quote_rerenders_the_body():
    article = make_article(body="One.\n\nTwo.")
    quote = PullQuote.objects.create(article=article, text="Quoted", attribution="Ann", position=1)
    article.refresh_from_db()
    assert article.body_html.index("One.") < article.body_html.index("Quoted")
    assert article.body_html.index("Quoted") < article.body_html.index("Two.")

    quote.delete()
    article.refresh_from_db()
    assert "Quoted" not in article.body_html


def test_contributor_links_must_be_web_addresses():
    contributor = Contributor(name="A", slug="a", links="https://example.com\nnot a link")
    with pytest.raises(ValidationError) as error:
        contributor.full_clean()
    assert error.value.message_dict["links"] == [
        "“not a link” is not a web address. Put one address per line, starting with https://."
    ]


def test_contributor_link_urls_skip_blank_lines():
    contributor = make_contributor(links="https://a.example\n\n  https://b.example  \n")
    assert contributor.link_urls == ["https://a.example", "https://b.example"]


def test_one_contributor_once_per_byline():
    contributor = make_contributor()
    article = make_article(contributors=[contributor])
    with pytest.raises(ValidationError) as error:
        article.bylines.model(article=article, contributor=contributor).validate_constraints()
    assert error.value.messages == ["This contributor is already on the byline."]


def test_string_forms():
    contributor = make_contributor(name="Ann Writer")
    article = make_article(title="An essay", contributors=[contributor])
    assert str(article) == "An essay"
    assert str(contributor) == "Ann Writer"
    assert str(article.bylines.get()) == "Ann Writer on An essay"
