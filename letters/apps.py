from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "letters"
    verbose_name = "Members' letter"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The letter's email kind, and the receiver of email services' bounce reports.
        from outbox.signals import worker_started

        from . import bounces, delivery, preview, weekly  # noqa: F401

        # Each worker makes sure the coming weekly letter is queued.
        worker_started.connect(weekly.schedule_next, dispatch_uid="letters.weekly")
