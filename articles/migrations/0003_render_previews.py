from django.conf import settings
from django.db import migrations

from articles import rendering


def render_previews(apps, schema_editor):
    """Posts saved before previews existed get theirs, as saving them now would."""
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.prefetch_related("pull_quotes"):
        quotes = [
            rendering.Quote(q.text, q.attribution, q.source_url, q.position)
            for q in article.pull_quotes.all()
        ]
        rendered = rendering.render(
            article.body, quotes, preview_paragraphs=settings.MEMBERS_PREVIEW_PARAGRAPHS
        )
        article.preview_html = rendered.preview_html
        article.preview_text = rendering.text_of(rendered.preview_html)
        article.save(update_fields=["preview_html", "preview_text"])


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_members_only_previews_and_tiers")]

    operations = [migrations.RunPython(render_previews, migrations.RunPython.noop)]
