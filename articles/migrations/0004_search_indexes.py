from django.db import migrations

from articles.models import SEARCH_INDEXES


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
