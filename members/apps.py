from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        # The kinds of email this app sends, registered with the outbox.
        from . import adapters, emails  # noqa: F401
