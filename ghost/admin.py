from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.template.response import TemplateResponse

from . import emails
from .models import ImportedMember


class WelcomedFilter(admin.SimpleListFilter):
    title = "welcome"
    parameter_name = "welcomed"

    def lookups(self, request, model_admin):
        return [("yes", "Sent"), ("no", "Not sent")]

    def queryset(self, request, queryset):
        if self.value() in {"yes", "no"}:
            return queryset.filter(welcomed_at__isnull=self.value() == "no")
        return queryset


class WelcomeForm(forms.Form):
    again = forms.BooleanField(required=False, label="Send it again to those who had it already")


@admin.register(ImportedMember)
class ImportedMemberAdmin(admin.ModelAdmin):
    """The members brought over from Ghost: staff welcome them once the site is ready."""

    list_display = [
        "email",
        "first_name",
        "last_name",
        "membership",
        "labels",
        "welcomed",
        "last_login",
    ]
    list_filter = [WelcomedFilter]
    list_select_related = ["membership__tier"]
    search_fields = ["email", "first_name", "last_name", "labels", "note"]
    actions = ["send_welcome"]

    def get_queryset(self, request: HttpRequest):
        return emails.with_welcome(emails.imported(super().get_queryset(request)))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_welcome_permission(self, request: HttpRequest) -> bool:
        # The list is read-only; the permission to change imported members is the one to
        # write to them.
        return request.user.has_perm(emails.WELCOME)

    @admin.display(description="welcome sent", ordering="welcomed_at")
    def welcomed(self, member) -> str:
        return f"{member.welcomed_at:%-d %b %Y}" if member.welcomed_at else "—"

    @admin.action(description="Send imported members a welcome…", permissions=["welcome"])
    def send_welcome(self, request: HttpRequest, queryset):
        """A page first: who gets the welcome, and who had it already (left out unless
        staff tick to send it again)."""
        members = list(queryset)
        form = WelcomeForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            again = form.cleaned_data["again"]
            sent = emails.welcome(members, sent_by=request.user, again=again)
            self.message_user(
                request, f"Welcome queued for {len(sent)} member(s).", messages.SUCCESS
            )
            if left_out := len(members) - len(sent):
                self.message_user(
                    request,
                    f"Left out, as they had it already: {left_out}.",
                    messages.WARNING,
                )
            return None
        had_it = [m for m in members if m.welcomed_at]
        return TemplateResponse(
            request,
            "admin/ghost/importedmember/welcome.html",
            {
                **self.admin_site.each_context(request),
                "title": "Send imported members a welcome",
                "opts": self.model._meta,
                "members": members,
                "had_it": had_it,
                "new": len(members) - len(had_it),
                "subject": emails.subject(),
                "form": form,
                "selected": [m.pk for m in members],
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )
