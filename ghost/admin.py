from django.contrib import admin, messages
from django.http import HttpRequest

from . import emails
from .models import ImportedMember


@admin.register(ImportedMember)
class ImportedMemberAdmin(admin.ModelAdmin):
    """The members brought over from Ghost: staff welcome them once the site is ready."""

    list_display = ["email", "first_name", "last_name", "membership", "last_login"]
    list_select_related = ["membership__tier"]
    search_fields = ["email", "first_name", "last_name"]
    actions = ["send_welcome"]

    def get_queryset(self, request: HttpRequest):
        return emails.imported(super().get_queryset(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_welcome_permission(self, request: HttpRequest) -> bool:
        # The list is read-only; the permission to change imported members is the one to
        # write to them.
        return request.user.has_perm(emails.WELCOME)

    @admin.action(description="Send imported members a welcome", permissions=["welcome"])
    def send_welcome(self, request: HttpRequest, queryset) -> None:
        sent = emails.welcome(list(queryset), sent_by=request.user)
        self.message_user(request, f"Welcome queued for {len(sent)} member(s).", messages.SUCCESS)
