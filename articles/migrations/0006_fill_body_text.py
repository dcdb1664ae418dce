from django.db import migrations

from articles.rendering import text_of


def fill_body_text(apps, schema_editor):
    """The words of each post as readers see them, from the HTML rendered when it was saved."""
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.only("body_html").iterator():
        Article.objects.filter(pk=article.pk).update(body_text=text_of(article.body_html))


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_article_body_text_and_search_vectors")]

    operations = [migrations.RunPython(fill_body_text, migrations.RunPython.noop)]
