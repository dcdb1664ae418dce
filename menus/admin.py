from django.contrib import admin

from .forms import MenuLinkForm
from .models import MenuLink


@admin.register(MenuLink)
class MenuLinkAdmin(admin.ModelAdmin):
    form = MenuLinkForm
    list_display = ["text", "menu", "order", "goes_to"]
    list_display_links = ["text"]
    list_editable = ["order"]
    list_filter = ["menu"]
    list_select_related = ["page", "topic", "contributor"]
    autocomplete_fields = ["topic", "contributor"]  # pages are few: a plain list
    fieldsets = [
        (None, {"fields": ["menu", "order", "label"]}),
        (
            "Where it goes (one of these)",
            {"fields": ["site_page", "page", "topic", "contributor", "url"]},
        ),
    ]

    @admin.display(description="Goes to")
    def goes_to(self, link: MenuLink) -> str:
        return link.href
