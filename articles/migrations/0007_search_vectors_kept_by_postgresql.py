from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# Each post's search vectors, over the text readers see, kept by PostgreSQL itself on
# every insert and update however it is made (save, a bulk update, bulk_create, raw SQL),
# so they never fall behind the text. Search reads them instead of computing them again.
CREATE_TRIGGER = """
CREATE FUNCTION articles_article_search_vectors() RETURNS trigger AS $$
BEGIN
    NEW.free_text_vector := to_tsvector('english'::regconfig,
        coalesce(NEW.title, '') || ' ' || coalesce(NEW.dek, '') || ' ' || coalesce(NEW.preview_text, ''));
    NEW.full_text_vector := to_tsvector('english'::regconfig,
        coalesce(NEW.title, '') || ' ' || coalesce(NEW.dek, '') || ' ' || coalesce(NEW.body_text, ''));
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER articles_article_search_vectors
    BEFORE INSERT OR UPDATE OF title, dek, preview_text, body_text ON articles_article
    FOR EACH ROW EXECUTE FUNCTION articles_article_search_vectors();
UPDATE articles_article SET title = title;
"""
DROP_TRIGGER = """
DROP TRIGGER articles_article_search_vectors ON articles_article;
DROP FUNCTION articles_article_search_vectors();
"""
STORED = [
    GinIndex(fields=["free_text_vector"], name="article_free_text_vector"),
    GinIndex(fields=["full_text_vector"], name="article_full_text_vector"),
]
COMPUTED = [  # as migration 0004 made them, over the Markdown source
    GinIndex(
        SearchVector("title", "dek", "preview_text", config="english"),
        name="article_search_free_text",
    ),
    GinIndex(
        SearchVector("title", "dek", "body", config="english"), name="article_search_full_text"
    ),
]


def keep_vectors(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        Article = apps.get_model("articles", "Article")
        schema_editor.execute(CREATE_TRIGGER)
        for index in COMPUTED:
            schema_editor.remove_index(Article, index)
        for index in STORED:
            schema_editor.add_index(Article, index)


def compute_vectors(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        Article = apps.get_model("articles", "Article")
        for index in STORED:
            schema_editor.remove_index(Article, index)
        for index in COMPUTED:
            schema_editor.add_index(Article, index)
        schema_editor.execute(DROP_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_fill_body_text")]

    operations = [migrations.RunPython(keep_vectors, compute_vectors)]
