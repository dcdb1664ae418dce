import csv
from datetime import datetime, time

from allauth.account import admin as allauth_admin
from allauth.account.models import EmailAddress
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_permission_codename
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from outbox.admin import EmailInline
from publication.admin_forms import OrderBoxesForm

from . import history
from .addresses import AddressField
from .approvals import (
    DECIDE,
    Result,
    approve_applications,
    decline_applications,
    over_capacity,
    resend_invitations,
)
from .models import Application, Event, Membership, Tier, User

# What a spreadsheet may read as the start of a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def short_date(moment: datetime | None) -> str:
    return dateformat.format(timezone.localtime(moment), "j M Y") if moment else "—"


def spreadsheet_safe(value):
    """A text that a spreadsheet would run as a formula, made plain text with a leading '."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(value) for value in row])
    return response


def confirm_approval(modeladmin, request: HttpRequest, applications, admit=None):
    """Approve's confirmation page, for chosen applications or the next in line for a
    package (`admit`: the package and the form saying how many): ask the package and the
    end, warn when a package would be overfilled, then approve."""
    form = ApproveForm(request.POST if "confirm" in request.POST else None)
    if form.is_valid() and (admit is None or admit[1].is_valid()):
        full = over_capacity(applications, form.cleaned_data["tier"])
        if full and not form.cleaned_data["beyond_capacity"]:
            form.add_error("beyond_capacity", "The package is full: tick this to admit them all.")
        else:
            decision = {"tier": form.cleaned_data["tier"], "ends_at": form.ends_at}
            results = approve_applications(applications, approved_by=request.user, **decision)
            report(modeladmin, request, results, "Approved and invited")
            return None
    tier = form.cleaned_data.get("tier") if form.is_valid() else None
    return TemplateResponse(
        request,
        "admin/members/application/approve.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": f"Admit the next in line for {admit[0]}" if admit else "Approve applications",
            "opts": modeladmin.model._meta,
            "applications": applications,
            "full": over_capacity(applications, tier),
            "form": form,
            "admit": admit[1] if admit else None,
            "action": "admit_next" if admit else "approve",
            "moving": any(a.moving_from_id for a in applications),
            "selected": [admit[0].pk] if admit else [a.pk for a in applications],
            "media": modeladmin.media + form.media,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


class DeclineForm(forms.Form):
    notify = forms.BooleanField(
        required=False, initial=True, label="Tell them by email (the polite email)"
    )
    note = forms.CharField(
        required=False,
        max_length=1000,
        label="A note for them (optional)",
        help_text="Added to the email and the history as you write it, in plain text.",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )

    def clean(self):
        data = super().clean()
        if data.get("note") and not data.get("notify"):
            self.add_error("note", "A note goes in the email: tick “Tell them by email”.")
        return data


def confirm_decline(modeladmin, request: HttpRequest, applications: list[Application]):
    """Decline's confirmation page: who is declined, who gets which email, and a note."""
    form = DeclineForm(request.POST if "confirm" in request.POST else None)
    if request.GET.get("with") == "note":  # "Decline with a note…" on the application's page
        form.fields["note"].widget.attrs["autofocus"] = True
    if form.is_valid():
        notify, note = form.cleaned_data["notify"], form.cleaned_data["note"]
        results = decline_applications(
            applications, declined_by=request.user, notify=notify, note=note
        )
        report(modeladmin, request, results, "Declined and told" if notify else "Declined")
        return None
    pending = [a for a in applications if a.status == Application.Status.PENDING]
    return TemplateResponse(
        request,
        "admin/members/application/decline.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": "Decline applications",
            "opts": modeladmin.model._meta,
            "applications": applications,
            "pending": pending,
            "moving": any(a.moving_from_id for a in pending),
            "form": form,
            "action": "decline_with_email",
            "selected": [a.pk for a in applications],
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


def report(modeladmin, request: HttpRequest, results: list[Result], verb: str) -> None:
    """One message per outcome, counted, so staff see exactly what an action did."""
    done = results.count(Result.DONE)
    moved = results.count(Result.MOVED)
    already = results.count(Result.ALREADY)
    skipped = results.count(Result.NOT_APPLICABLE)
    if done:
        modeladmin.message_user(request, f"{verb}: {done}.", messages.SUCCESS)
    if moved:
        modeladmin.message_user(
            request, f"Moved to their new package and told: {moved}.", messages.SUCCESS
        )
    if already:
        modeladmin.message_user(
            request, f"Already done, nothing changed: {already}.", messages.WARNING
        )
    if skipped:
        modeladmin.message_user(
            request, f"Not possible for their status: {skipped}.", messages.WARNING
        )


class EventInline(admin.TabularInline):
    """The record of what happened, read-only: nobody edits or deletes it here."""

    model = Event
    fk_name = "application"
    fields = ["at", "what", "detail", "actor", "staff"]
    readonly_fields = fields
    extra = 0
    verbose_name_plural = "History"

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class MemberEventInline(EventInline):
    fk_name = "user"


class MembershipInline(admin.StackedInline):
    model = Membership
    extra = 0
    can_delete = False


class UserCreationForm(AdminUserCreationForm):
    email = AddressField(label="Email address")

    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):
    email = AddressField(label="Email address")

    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    inlines = [MembershipInline, MemberEventInline, EmailInline]
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "date_joined")
    search_fields = ("email", "first_name", "last_name", "labels", "note")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        ("For staff", {"fields": ("labels", "note")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        obj.record_email_address()

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        before = Membership.objects.select_related("tier").filter(user=form.instance).first()
        super().save_formset(request, form, formset, change)
        for membership_form in formset.forms:
            if membership_form.has_changed() and membership_form.instance.pk:
                history.membership_changed(before, membership_form.instance, request.user)
        return None


class EmailAddressAdmin(allauth_admin.EmailAddressAdmin):
    """allauth's readers' addresses; marking one verified is a change, not a view."""

    @admin.action(description="Mark selected email addresses as verified", permissions=["change"])
    def make_verified(self, request: HttpRequest, queryset: QuerySet[EmailAddress]) -> None:
        super().make_verified(request, queryset)


admin.site.unregister(EmailAddress)
admin.site.register(EmailAddress, EmailAddressAdmin)


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "rank",
        "monthly_price",
        "yearly_price",
        "currency",
        "is_public",
        "capacity",
        "member_count",
        "waiting",
        "order",
    ]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    actions = ["admit_next"]

    def get_queryset(self, request: HttpRequest):
        pending = models.Q(applications__status=Application.Status.PENDING)
        return (
            super()
            .get_queryset(request)
            .with_member_counts()
            .annotate(waiting=models.Count("applications", filter=pending, distinct=True))
        )

    def get_changelist_form(self, request: HttpRequest, **kwargs):
        return TierOrderForm

    @admin.display(description="members", ordering="members")
    def member_count(self, tier: Tier) -> int:
        return tier.members

    @admin.display(description="waiting", ordering="waiting")
    def waiting(self, tier: Tier) -> int:
        return tier.waiting

    def has_admit_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(DECIDE)

    @admin.action(description="Admit the next in line…", permissions=["admit"])
    def admit_next(self, request: HttpRequest, queryset: QuerySet[Tier]):
        """The oldest waiting applications for one package, approved in order."""
        if queryset.count() != 1:
            self.message_user(request, "Choose one package to admit from.", messages.ERROR)
            return None
        tier = queryset.get()
        how_many = AdmitForm(
            request.POST if "confirm" in request.POST else None,
            initial={"count": tier.places_left() or 10},
        )
        count = how_many.cleaned_data["count"] if how_many.is_valid() else how_many.initial["count"]
        line = Application.objects.filter(tier=tier, status=Application.Status.PENDING)
        chosen = line.select_related("tier", "moving_from").order_by("created_at", "pk")[:count]
        return confirm_approval(self, request, list(chosen), admit=(tier, how_many))


class TierOrderForm(OrderBoxesForm):
    class Meta:
        model = Tier
        fields = ["order"]


class AdmitForm(forms.Form):
    count = forms.IntegerField(
        min_value=1, max_value=500, label="How many", help_text="The oldest waiting first."
    )


class ApproveForm(forms.Form):
    tier = forms.ModelChoiceField(
        queryset=Tier.objects.all(),
        required=False,
        empty_label="The package each applicant asked for",
        label="Membership package",
    )
    ends_on = forms.DateField(
        required=False,
        label="Membership ends on",
        help_text="Leave empty for a membership that does not end.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    beyond_capacity = forms.BooleanField(
        required=False, label="Admit them even though the package is full"
    )

    def clean_ends_on(self):
        ends_on = self.cleaned_data["ends_on"]
        if ends_on and ends_on <= timezone.localdate():
            raise forms.ValidationError("Choose a day after today, or leave it empty.")
        return ends_on

    @property
    def ends_at(self):
        """The membership ends as the chosen day begins, in the site's time zone."""
        ends_on = self.cleaned_data["ends_on"]
        return timezone.make_aware(datetime.combine(ends_on, time.min)) if ends_on else None


class ActionChangeList(ChangeList):
    """The list an action is taken from: the action answers with a page of its own or a
    redirect, never the list, so the list's rows, which may be millions, are not counted."""

    def get_results(self, request: HttpRequest) -> None:
        pass


def takes_an_action(model_admin: admin.ModelAdmin, request: HttpRequest) -> bool:
    """Whether Django's changelist_view answers this request with an action's page or a
    redirect rather than the list: a POST of the action form, not of list_editable's."""
    posted = request.POST
    return (
        request.method == "POST"
        and "_save" not in posted
        and ("index" in posted or helpers.ACTION_CHECKBOX_NAME in posted)
        and bool(model_admin.get_actions(request))
    )


class CountsNothingForActions:
    """A ModelAdmin whose actions do not count the list they were chosen from."""

    def get_changelist(self, request: HttpRequest, **kwargs):
        if takes_an_action(self, request):
            return ActionChangeList
        return super().get_changelist(request, **kwargs)


class ExportsCSV:
    """A ModelAdmin whose "Export as CSV" needs the model's own export permission
    (Meta.permissions): seeing rows one at a time is not taking them all away in a file."""

    def has_export_permission(self, request: HttpRequest) -> bool:
        codename = get_permission_codename("export", self.opts)
        return request.user.has_perm(f"{self.opts.app_label}.{codename}")


class MoveFilter(admin.SimpleListFilter):
    title = "asks"
    parameter_name = "asks"

    def lookups(self, request, model_admin):
        return [("join", "To join"), ("move", "To move package")]

    def queryset(self, request, queryset):
        if self.value() in {"join", "move"}:
            return queryset.filter(moving_from__isnull=self.value() == "join")
        return queryset


@admin.register(Application)
class ApplicationAdmin(CountsNothingForActions, ExportsCSV, admin.ModelAdmin):
    # Narrow enough for 1280 px with the sidebar open: who in one cell, short dates.
    list_display = ["applicant", "package", "state", "applied", "reason_start"]
    # Dates are filtered by the list filter's periods (today, past 7 days, this month, this
    # year), not a date hierarchy: its links come from a DISTINCT over every application's
    # date.
    list_filter = ["status", "tier", MoveFilter, "created_at"]
    search_fields = ["full_name", "email", "organisation"]
    list_select_related = ["tier", "moving_from"]
    show_full_result_count = False
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        # Staff correcting an address store it canonical, as the form does.
        models.EmailField: {"form_class": AddressField},
    }
    actions = ["approve", "decline", "decline_with_email", "resend", "export_csv"]
    change_form_template = "admin/members/application/change_form.html"
    inlines = [EventInline, EmailInline]
    readonly_fields = [
        "other_applications",
        "moving_from",
        "started_from",
        "status",
        "reviewed_by",
        "reviewed_at",
        "invitation_sent_at",
        "user",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            "Applicant",
            {
                "fields": [
                    "full_name",
                    "email",
                    "other_applications",
                    "organisation",
                    "role",
                    "link",
                ]
            },
        ),
        (
            "Application",
            {
                "fields": [
                    "tier",
                    "moving_from",
                    "reason",
                    "heard_from",
                    "consent",
                    "started_from",
                    "created_at",
                ]
            },
        ),
        (
            "Review",
            {
                "fields": [
                    "status",
                    "review_notes",
                    "reviewed_by",
                    "reviewed_at",
                    "invitation_sent_at",
                    "user",
                    "updated_at",
                ]
            },
        ),
    ]

    @admin.display(description="applicant", ordering="full_name")
    def applicant(self, application: Application) -> str:
        return format_html(
            "<strong>{}</strong> · {}<br>{}",
            application.full_name,
            application.organisation,
            application.email,
        )

    @admin.display(description="package", ordering="tier__rank")
    def package(self, application: Application) -> str:
        if application.moving_from_id:
            return format_html("{}<br><small>{}</small>", application.tier, application.asks)
        return application.tier.name

    @admin.display(description="status", ordering="status")
    def state(self, application: Application) -> str:
        if application.invitation_sent_at:
            invited = short_date(application.invitation_sent_at)
            return format_html(
                "{}<br><small>invited {}</small>", application.get_status_display(), invited
            )
        return application.get_status_display()

    @admin.display(description="applied", ordering="created_at")
    def applied(self, application: Application) -> str:
        return short_date(application.created_at)

    @admin.display(description="why they want to join")
    def reason_start(self, application: Application) -> str:
        return Truncator(" ".join(application.reason.split())).chars(60)

    def get_ordering(self, request: HttpRequest) -> list[str]:
        """The waiting in line order, first in line first; the others newest first."""
        if request.GET.get("status__exact") == Application.Status.PENDING:
            return ["created_at", "id"]
        return super().get_ordering(request)

    @admin.display(description="other applications from this address")
    def other_applications(self, application: Application) -> str:
        others = (
            Application.objects.filter(email=application.email)
            .exclude(pk=application.pk)
            .select_related("tier")
        )
        return (
            format_html_join(
                mark_safe("<br>"),
                '<a href="{}">{} · {} · {}</a>',
                (
                    (
                        reverse("admin:members_application_change", args=[other.pk]),
                        f"{timezone.localtime(other.created_at):%Y-%m-%d}",
                        other.get_status_display(),
                        other.tier.name,
                    )
                    for other in others
                ),
            )
            or "None"
        )

    def changelist_view(self, request: HttpRequest, extra_context=None):
        # Only for the list itself: an action's POST answers with a redirect or a page of its
        # own, and would count every pending application for nothing.
        if request.method == "GET":
            pending = Application.objects.filter(status=Application.Status.PENDING).count()
            extra_context = {**(extra_context or {}), "title": f"Applications: {pending} pending"}
        return super().changelist_view(request, extra_context)

    @admin.action(description="Approve and send invitations…", permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Application]):
        return confirm_approval(self, request, list(queryset.select_related("tier", "moving_from")))

    @admin.action(description="Decline without email", permissions=["change"])
    def decline(self, request: HttpRequest, queryset: QuerySet[Application]):
        results = decline_applications(queryset, declined_by=request.user, notify=False)
        report(self, request, results, "Declined")

    @admin.action(description="Decline and send a polite email…", permissions=["change"])
    def decline_with_email(self, request: HttpRequest, queryset: QuerySet[Application]):
        return confirm_decline(self, request, list(queryset.select_related("tier", "moving_from")))

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(function)

        return [
            path(
                "<path:object_id>/approve/",
                view(self.approve_one),
                name="members_application_approve",
            ),
            path(
                "<path:object_id>/decline/",
                view(self.decline_one),
                name="members_application_decline",
            ),
            *super().get_urls(),
        ]

    def one_to_decide(self, request: HttpRequest, object_id: str) -> Application:
        """The application of its own page, for staff who may decide it."""
        application = self.get_object(request, object_id)
        if application is None:
            raise Http404
        if not self.has_change_permission(request, application):
            raise PermissionDenied
        return Application.objects.select_related("tier", "moving_from").get(pk=application.pk)

    def approve_one(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Approve from the application's own page, through the list's confirmation page."""
        application = self.one_to_decide(request, object_id)
        page = confirm_approval(self, request, [application])
        return page or redirect("admin:members_application_change", application.pk)

    def decline_one(self, request: HttpRequest, object_id: str) -> HttpResponse:
        application = self.one_to_decide(request, object_id)
        page = confirm_decline(self, request, [application])
        return page or redirect("admin:members_application_change", application.pk)

    @admin.action(description="Resend invitation", permissions=["change"])
    def resend(self, request: HttpRequest, queryset: QuerySet[Application]):
        results = resend_invitations(queryset, resent_by=request.user)
        report(self, request, results, "Invitation sent again")

    @admin.action(description="Export as CSV", permissions=["export"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Application]):
        return csv_response(
            "applications.csv",
            [
                "Email",
                "First Name",
                "Last Name",
                "Organisation",
                "Role",
                "Tier",
                "Status",
                "Applied",
                "History",
            ],
            (
                [
                    a.email,
                    *a.first_and_last_name,
                    a.organisation,
                    a.role,
                    a.tier.name,
                    a.status,
                    a.created_at.date().isoformat(),
                    "; ".join(str(event) for event in a.events.all()),
                ]
                for a in queryset.select_related("tier").prefetch_related("events__staff")
            ),
        )


@admin.register(Membership)
class MembershipAdmin(CountsNothingForActions, ExportsCSV, admin.ModelAdmin):
    list_display = ["user", "tier", "status", "started_at", "ends_at"]
    list_filter = ["status", "tier", "started_at", "ends_at"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user", "tier"]
    autocomplete_fields = ["user"]
    show_full_result_count = False
    actions = ["export_csv"]

    def save_model(self, request: HttpRequest, obj: Membership, form, change: bool) -> None:
        before = Membership.objects.select_related("tier").filter(pk=obj.pk).first()
        super().save_model(request, obj, form, change)
        history.membership_changed(before, obj, request.user)

    @admin.action(description="Export as CSV", permissions=["export"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Membership]):
        return csv_response(
            "members.csv",
            ["Email", "First Name", "Last Name", "Tier", "Status", "Member Since", "Ends"],
            (
                [
                    m.user.email,
                    m.user.first_name,
                    m.user.last_name,
                    m.tier.name,
                    m.status,
                    m.started_at.date().isoformat(),
                    m.ends_at.date().isoformat() if m.ends_at else "",
                ]
                for m in queryset.select_related("user", "tier")
            ),
        )
