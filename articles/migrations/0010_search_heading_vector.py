import django.contrib.postgres.search
from django.db import migrations

# The title (weight A) and standfirst (B) as a stored vector, kept by the trigger of
# migration 0007 beside the others: search ranks its candidates by it rather than
# computing it again for each candidate.
FREE_AND_FULL = """
    NEW.free_text_vector := to_tsvector('english'::regconfig,
        coalesce(NEW.title, '') || ' ' || coalesce(NEW.dek, '') || ' ' || coalesce(NEW.preview_text, ''));
    NEW.full_text_vector := to_tsvector('english'::regconfig,
        coalesce(NEW.title, '') || ' ' || coalesce(NEW.dek, '') || ' ' || coalesce(NEW.body_text, ''));
"""
HEADING = """
    NEW.heading_vector :=
        setweight(to_tsvector('english'::regconfig, coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english'::regconfig, coalesce(NEW.dek, '')), 'B');
"""
FUNCTION = """
CREATE OR REPLACE FUNCTION articles_article_search_vectors() RETURNS trigger AS $$
BEGIN
{}
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""


def keep_heading(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION.format(FREE_AND_FULL + HEADING))
        schema_editor.execute("UPDATE articles_article SET title = title")


def forget_heading(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION.format(FREE_AND_FULL))


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_search_title_and_description")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="heading_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(keep_heading, forget_heading),
    ]
