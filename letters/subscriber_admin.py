"""The free list in the admin: who subscribed, whether the letter reaches them now, and
whether they are members too, with counts, search and a CSV export."""

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from members.admin import ExportsCSV, csv_response
from members.models import User, is_current_member

from .models import Subscriber


class MemberFilter(admin.SimpleListFilter):
    title = "member"
    parameter_name = "member"

    def lookups(self, request, model_admin):
        return [("yes", "Members"), ("no", "Not members")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(is_current_member())
        if self.value() == "no":
            return queryset.exclude(is_current_member())
        return queryset


@admin.register(Subscriber)
class SubscriberAdmin(ExportsCSV, admin.ModelAdmin):
    list_display = ["email", "name", "subscribed_at", "receives_letter", "package"]
    list_filter = ["receives_letter", MemberFilter, "subscribed_at"]
    search_fields = ["email", "first_name", "last_name"]
    list_select_related = ["membership__tier"]
    ordering = ["-subscribed_at"]
    # Staff may switch a reader's letter off (or back on, when asked); the rest is the
    # reader's own, and subscribing is done only from the reader's mailbox.
    fields = ["email", "first_name", "last_name", "subscribed_at", "receives_letter"]
    readonly_fields = ["email", "first_name", "last_name", "subscribed_at"]
    actions = ["export_csv"]
    change_list_template = "admin/letters/subscriber/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).filter(subscribed_at__isnull=False)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None):
        counts = self.get_queryset(request).aggregate(
            receiving=Count("pk", filter=Q(receives_letter=True, is_active=True)),
            not_receiving=Count("pk", filter=Q(receives_letter=False) | Q(is_active=False)),
            members=Count("pk", filter=is_current_member()),
        )
        return super().changelist_view(request, {**(extra_context or {}), "counts": counts})

    @admin.display(description="name", ordering="last_name")
    def name(self, reader: User) -> str:
        return reader.get_full_name()

    @admin.display(description="package")
    def package(self, reader: User) -> str:
        membership = getattr(reader, "membership", None)
        return membership.tier.name if membership and membership.is_active else "—"

    @admin.action(description="Export as CSV", permissions=["export"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[User]):
        return csv_response(
            "subscribers.csv",
            ["Email", "First Name", "Last Name", "Subscribed", "Receives Letter", "Package"],
            (
                [
                    reader.email,
                    reader.first_name,
                    reader.last_name,
                    reader.subscribed_at.date().isoformat(),
                    "yes" if reader.receives_letter else "no",
                    "" if (package := self.package(reader)) == "—" else package,
                ]
                for reader in queryset.select_related("membership__tier")
            ),
        )
