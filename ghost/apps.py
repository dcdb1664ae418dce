from django.apps import AppConfig
from django.db.models.signals import pre_save


class GhostConfig(AppConfig):
    name = "ghost"
    verbose_name = "Import from Ghost"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.flatpages.models import FlatPage

        from . import emails  # noqa: F401  (the welcome's email kind)

        # Flat pages are shown as HTML: however they are saved (an import, the admin),
        # they are sanitised as posts are.
        pre_save.connect(sanitise_flat_page, sender=FlatPage, dispatch_uid="ghost-flatpage")


def sanitise_flat_page(sender, instance, **kwargs) -> None:
    from articles.rendering import sanitize

    instance.content = sanitize(instance.content)
