from datetime import timedelta

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Email
from .tasks import send_again

# Staff are told on the admin index of emails waiting longer than this.
LATE = timedelta(minutes=15)


class LateFilter(admin.SimpleListFilter):
    title = "waiting"
    parameter_name = "late"

    def lookups(self, request, model_admin):
        return [("yes", f"Longer than {LATE.seconds // 60} minutes")]

    def queryset(self, request, queryset):
        return queryset.waiting_longer_than(LATE) if self.value() == "yes" else queryset


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    """Every email the site sent or will send; their text is made only when sent."""

    list_display = ["subject", "to", "kind_label", "state", "attempts", "last_error", "created_at"]
    list_filter = ["state", LateFilter, "kind", "created_at"]
    search_fields = ["to", "subject"]
    show_full_result_count = False
    actions = ["send_again"]
    fields = [
        "kind",
        "to",
        "subject",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "attempted_at",
        "next_attempt_at",
        "sent_at",
        "message_id",
        "application",
        "user",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="kind", ordering="kind")
    def kind_label(self, email: Email) -> str:
        return email.get_kind_display()

    @admin.action(description="Send again", permissions=["change"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[Email]):
        emails = list(queryset)
        if done := send_again(emails):
            self.message_user(request, f"Queued to send again: {done}.", messages.SUCCESS)
        if waiting := len(emails) - done:
            self.message_user(
                request, f"Still on their way, left as they are: {waiting}.", messages.WARNING
            )


class EmailInline(admin.TabularInline):
    """The emails about an application or a user, on its admin page."""

    model = Email
    fields = ["kind", "subject", "state", "attempts", "last_error", "created_at", "sent_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["-created_at"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
