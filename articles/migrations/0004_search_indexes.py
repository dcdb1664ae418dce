from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# As they were made then (migration 0007 searches the rendered text instead of the Markdown).
SEARCH_INDEXES = [
    GinIndex(
        SearchVector("title", "dek", "preview_text", config="english"),
        name="article_search_free_text",
    ),
    GinIndex(
        SearchVector("title", "dek", "body", config="english"), name="article_search_full_text"
    ),
]


def add_search_indexes(apps, schema_editor):
    """GIN indexes exist on PostgreSQL only; elsewhere search scans, which is fine for small sites."""
    if schema_editor.connection.vendor == "postgresql":
        for index in SEARCH_INDEXES:
            schema_editor.add_index(apps.get_model("articles", "Article"), index)


def remove_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in SEARCH_INDEXES:
            schema_editor.remove_index(apps.get_model("articles", "Article"), index)


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_render_previews")]

    operations = [migrations.RunPython(add_search_indexes, remove_search_indexes)]
