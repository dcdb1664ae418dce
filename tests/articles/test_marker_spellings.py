"""Posts saved before the marker's other spellings counted are cut again where it stands."""

import importlib

import pytest
from django.apps import apps

from articles.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_posts_saved_with_another_spelling_of_the_marker_are_cut_where_it_stands():
    migration = importlib.import_module("articles.migrations.0011_marker_spellings")
    body = "Free one.\n\n<!--members only-->\n\nPaid two.\n\nPaid three."
    spelled = make_article(body=body, visibility=Article.Visibility.MEMBERS)
    usual = make_article(body=body.replace("members only", "members-only"))
    # As they were saved before: no marker, so the preview ran to the second paragraph.
    Article.objects.filter(pk=spelled.pk).update(preview_html="<p>Free one.</p>\n<p>Paid two.</p>")
    before = dict(Article.objects.values_list("pk", "updated_at"))

    migration.render_again(apps, None)

    spelled.refresh_from_db(), usual.refresh_from_db()
    assert spelled.preview_html == "<p>Free one.</p>"
    assert "Paid two." not in spelled.preview_text
    assert spelled.updated_at > before[spelled.pk]
    assert usual.updated_at == before[usual.pk]
