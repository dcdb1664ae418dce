from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from publication.pagecache import invalidate
        from publication.signals import rows_updated

        # The kinds of email this app sends, registered with the outbox.
        from . import adapters, emails  # noqa: F401
        from .models import Tier

        # The packages page shows the packages: any write to one moves the page cache on.
        post_save.connect(invalidate, sender=Tier, dispatch_uid="pages-save-tier")
        post_delete.connect(invalidate, sender=Tier, dispatch_uid="pages-delete-tier")
        rows_updated.connect(invalidate, sender=Tier, dispatch_uid="pages-update-tier")
