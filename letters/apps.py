from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "letters"
    verbose_name = "Members' letter"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The letter's email kind, and the receiver of email services' bounce reports.
        from django.core import checks
        from django.db.models.signals import post_save

        from articles.models import Article
        from outbox.signals import worker_started

        from . import bounces, delivery, preview, sending, weekly  # noqa: F401

        checks.register(bounces.reports_verified)
        post_save.connect(sending.email_when_published, sender=Article, dispatch_uid="letters")
        # Each worker makes sure the coming weekly letter is queued.
        worker_started.connect(weekly.schedule_next, dispatch_uid="letters.weekly")
