from django.apps import AppConfig


class GhostConfig(AppConfig):
    name = "ghost"
    verbose_name = "Import from Ghost"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import emails  # noqa: F401  (the welcome's email kind)
