"""Posts saved while only "members-only" was the marker whose bodies spell it another way
("members only", "members_only", "paywall", ...), rendered again: their free preview was
cut after the first paragraphs, which can be more than staff meant to give away, and now
ends where they put the marker. Each is touched, so no cache keeps the old cut."""

import re

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from articles.rendering import MARKER, Quote, rendered_fields

FORMER_MARKER = re.compile(r"<!--\s*members-only\s*-->", re.IGNORECASE)


def render_again(apps, schema_editor) -> None:
    Article = apps.get_model("articles", "Article")
    PullQuote = apps.get_model("articles", "PullQuote")
    for article in Article.objects.filter(body__contains="<!--").only("body").iterator():
        spellings = [found[0] for found in MARKER.finditer(article.body)]
        if all(FORMER_MARKER.fullmatch(spelling) for spelling in spellings):
            continue
        quotes = [
            Quote(q.text, q.attribution, q.source_url, q.position)
            for q in PullQuote.objects.filter(article=article)
        ]
        fields = rendered_fields(
            article.body, quotes, preview_paragraphs=settings.MEMBERS_PREVIEW_PARAGRAPHS
        )
        Article.objects.filter(pk=article.pk).update(**fields, updated_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("articles", "0010_search_heading_vector")]

    operations = [migrations.RunPython(render_again, migrations.RunPython.noop)]
