from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from articles.models import Contributor

        # The kinds of email this app sends, registered with the outbox.
        from . import adapters, emails  # noqa: F401
        from .models import Membership, Tier
        from .readers import changed

        # What a reader is made of: every change moves the readers' generation on.
        for model in (get_user_model(), Membership, Tier, Contributor):
            post_save.connect(changed, sender=model, dispatch_uid=f"readers-save-{model}")
            post_delete.connect(changed, sender=model, dispatch_uid=f"readers-del-{model}")
