from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

MARKDOWN = GinIndex(
    SearchVector("title", "dek", "body", config="english"), name="article_search_full_text"
)
TEXT_READ = GinIndex(
    SearchVector("title", "dek", "body_text", config="english"), name="article_search_text_read"
)


def search_rendered_text(apps, schema_editor):
    """The whole-post index moves from the Markdown source to the text readers see."""
    if schema_editor.connection.vendor == "postgresql":
        Article = apps.get_model("articles", "Article")
        schema_editor.remove_index(Article, MARKDOWN)
        schema_editor.add_index(Article, TEXT_READ)


def search_markdown(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        Article = apps.get_model("articles", "Article")
        schema_editor.remove_index(Article, TEXT_READ)
        schema_editor.add_index(Article, MARKDOWN)


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_fill_body_text")]

    operations = [migrations.RunPython(search_rendered_text, search_markdown)]
