from django.db import migrations, models

from articles import rendering


def name_blocks(apps, schema_editor):
    """Each pull quote names the block it stands after, as PullQuote.settle_place does."""
    PullQuote = apps.get_model("articles", "PullQuote")
    for quote in PullQuote.objects.select_related("article").filter(position__gt=0):
        keys = rendering.parse_body(quote.article.body).keys
        if keys:
            quote.after_block = keys[min(quote.position, len(keys)) - 1]
            quote.save(update_fields=["after_block"])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_marker_spellings"),
    ]

    operations = [
        migrations.AddField(
            model_name="pullquote",
            name="after_block",
            field=models.CharField(blank=True, default="", max_length=24),
        ),
        migrations.AlterField(
            model_name="pullquote",
            name="position",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunPython(name_blocks, migrations.RunPython.noop),
    ]
