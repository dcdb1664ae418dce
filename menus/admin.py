from django.contrib import admin
from django.http import HttpRequest

from .forms import MenuLinkForm, MenuLinkOrderForm
from .models import MenuLink


@admin.register(MenuLink)
class MenuLinkAdmin(admin.ModelAdmin):
    form = MenuLinkForm
    list_display = ["text", "menu", "order", "goes_to"]
    list_display_links = ["text"]
    list_editable = ["order"]
    list_filter = ["menu"]
    list_select_related = ["page", "topic", "contributor"]
    fieldsets = [
        (None, {"fields": ["menu", "order", "label"]}),
        (
            "Where it goes (one of these)",
            {"fields": ["site_page", "page", "topic", "contributor", "url"]},
        ),
    ]

    def get_changelist_form(self, request: HttpRequest, **kwargs):
        return MenuLinkOrderForm

    @admin.display(description="Goes to")
    def goes_to(self, link: MenuLink) -> str:
        return link.href
