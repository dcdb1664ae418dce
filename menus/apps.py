from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class MenusConfig(AppConfig):
    name = "menus"
    verbose_name = "Menus"

    def ready(self) -> None:
        """Every page shows the menus: a change to a link, or to a page one names, moves the
        page cache and cached answers on (topics and contributors move them already)."""
        from django.contrib.flatpages.models import FlatPage

        from publication.pagecache import invalidate

        from .models import MenuLink

        for model in (MenuLink, FlatPage):
            post_save.connect(invalidate, sender=model, dispatch_uid=f"menus-save-{model}")
            post_delete.connect(invalidate, sender=model, dispatch_uid=f"menus-delete-{model}")
