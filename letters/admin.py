from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.http import urlencode
from django.views.decorators.clickjacking import xframe_options_sameorigin

from articles.admin import ArticleAdmin
from articles.models import Article
from members.models import Tier

from . import preview, rendering, subscriber_admin, weekly  # noqa: F401 (registers)
from .audience import audience, not_had
from .models import Delivery, Send, WeeklyLetter
from .sending import SEND, send_post

# A letter's preview is a whole email: its styles are inline, and it runs no script.
PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:; "
    "frame-ancestors 'self'; sandbox"
)


class SendForm(forms.Form):
    audience = forms.ChoiceField(
        choices=Send.Audience.choices, initial=Send.Audience.INCLUDED, widget=forms.RadioSelect
    )
    tier = forms.ModelChoiceField(
        queryset=Tier.objects.order_by("rank"),
        required=False,
        label="Package",
        empty_label="Choose the lowest package",
        help_text="For “members of one package and above”.",
    )
    preview_as = forms.ChoiceField(
        label="Preview as",
        choices=preview.KINDS_OF_READER,
        initial=preview.INCLUDED,
        widget=forms.RadioSelect,
    )
    again = forms.BooleanField(
        required=False,
        label="Send it again, to the readers who have not had it",
    )

    def clean(self):
        data = super().clean()
        if data.get("audience") == Send.Audience.TIER and not data.get("tier"):
            self.add_error("tier", "Choose the lowest package to send it to.")
        return data


def send_by_email(model_admin, request: HttpRequest, object_id: str) -> HttpResponse:
    """The post's "Send by email…" page: audience, count, preview, test, send."""
    article = get_object_or_404(Article.objects.select_related("minimum_tier"), pk=object_id)
    if not (model_admin.has_view_permission(request, article) and request.user.has_perm(SEND)):
        raise PermissionDenied
    form = SendForm(request.POST or request.GET or None)
    valid = form.is_valid()
    chosen = form.cleaned_data if valid else {"audience": Send.Audience.INCLUDED, "tier": None}
    members = not_had(audience(article, chosen["audience"], chosen.get("tier")), article)
    earlier = list(article.sends.annotate(count=Count("deliveries")))
    count = members.count()
    if request.method == "POST" and valid:
        if "test" in request.POST:
            preview.send_test(article, form.cleaned_data["preview_as"], request.user)
            model_admin.message_user(request, f"A test is on its way to {request.user.email}.")
        elif "send" not in request.POST:
            pass  # the preview, for the audience and reader chosen
        elif earlier and not form.cleaned_data["again"]:
            form.add_error("again", "This post has been sent before: tick this to send it again.")
        elif not article.is_public_now:
            form.add_error(None, "Publish the post first: the letter links to it.")
        elif count == 0:
            form.add_error(None, "Nobody in this audience is left to send it to.")
        else:
            send = send_post(
                article, audience=chosen["audience"], tier=chosen.get("tier"), sent_by=request.user
            )
            model_admin.message_user(
                request, f"Sending to {count} reader{'s' if count != 1 else ''}.", messages.SUCCESS
            )
            return redirect("admin:letters_send_change", send.pk)
    preview_url = reverse("admin:articles_article_send_preview", args=[article.pk])
    as_reader = form["preview_as"].value() or preview.INCLUDED  # a form posted without it
    return TemplateResponse(
        request,
        "admin/letters/send_by_email.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": f"Send “{article.title}” by email",
            "opts": model_admin.model._meta,
            "original": article,
            "form": form,
            "count": count,
            "earlier": earlier,
            "preview_url": f"{preview_url}?{urlencode({'as': as_reader})}",
        },
    )


@xframe_options_sameorigin
def letter_preview(model_admin, request: HttpRequest, object_id: str) -> HttpResponse:
    article = get_object_or_404(Article, pk=object_id)
    if not model_admin.has_view_permission(request, article):
        raise PermissionDenied
    kind_of_reader = request.GET.get("as", preview.INCLUDED)
    if kind_of_reader not in dict(preview.KINDS_OF_READER):
        kind_of_reader = preview.INCLUDED
    html, _ = preview.preview(article, kind_of_reader).to("#unsubscribe")
    return letter_response(html)


def letter_response(html: str) -> HttpResponse:
    response = HttpResponse(html)
    response["Content-Security-Policy"] = PREVIEW_POLICY
    return response


def with_progress(sends):
    """Each send's deliveries counted by state, in one query for the whole list."""
    return sends.annotate(
        **{
            f"n_{state}": Count("deliveries", filter=Q(deliveries__state=state))
            for state in Delivery.State.values
        }
    )


@admin.register(Send)
class SendAdmin(admin.ModelAdmin):
    list_display = ["subject", "audience", "created_at", "sent_by", "progress"]
    list_filter = ["audience", "created_at"]
    fields = ["subject", "article", "weekly", "audience", "tier", "sent_by", "created_at"]
    readonly_fields = fields
    change_form_template = "admin/letters/send/change_form.html"

    def get_queryset(self, request: HttpRequest):
        return with_progress(super().get_queryset(request).select_related("sent_by"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="deliveries")
    def progress(self, send: Send) -> str:
        counts = [
            (label.lower(), getattr(send, f"n_{state}")) for state, label in Delivery.State.choices
        ]
        return ", ".join(f"{n} {label}" for label, n in counts if n) or "being prepared"

    def get_urls(self):
        view = self.admin_site.admin_view(self.progress_view)
        return [
            path("<path:object_id>/progress/", view, name="letters_send_progress"),
            *super().get_urls(),
        ]

    def state_of(self, request: HttpRequest, object_id: str) -> dict | None:
        send = self.get_object(request, object_id)
        if send is None:
            return None
        return {
            "progress": self.progress(send),
            "running": send.prepared_at is None or send.n_queued > 0,
        }

    def progress_view(self, request: HttpRequest, object_id: str) -> JsonResponse:
        """What the send's page shows, read again every few seconds while it runs."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return JsonResponse(self.state_of(request, object_id) or {}, status=200)

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            **(self.state_of(request, object_id) or {}),
            "progress_url": reverse("admin:letters_send_progress", args=[object_id]),
            "deliveries_url": reverse("admin:letters_delivery_changelist")
            + f"?send__id__exact={object_id}",
        }
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["user", "send", "state", "updated_at"]
    list_filter = ["state", "send"]
    search_fields = ["user__email"]
    list_select_related = ["user", "send"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(WeeklyLetter)
class WeeklyLetterAdmin(admin.ModelAdmin):
    list_display = ["__str__", "held", "to_subscribers", "sent"]
    fields = ["scheduled_for", "introduction", "held", "to_subscribers", "posts", "preview"]
    readonly_fields = ["scheduled_for", "posts", "preview"]
    actions = ["send_now"]

    def get_urls(self):
        view = self.admin_site.admin_view(self.preview_view)
        return [
            path("<path:object_id>/preview/", view, name="letters_weeklyletter_preview"),
            *super().get_urls(),
        ]

    @admin.display(description="preview")
    def preview(self, letter: WeeklyLetter) -> str:
        url = reverse("admin:letters_weeklyletter_preview", args=[letter.pk])
        return format_html('<a href="{}">See the letter as it stands</a>', url)

    @method_decorator(xframe_options_sameorigin)
    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        letter = get_object_or_404(WeeklyLetter, pk=object_id)
        html, _ = rendering.weekly_letter_of(letter).to("#unsubscribe")
        return letter_response(html)

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("send")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(boolean=True)
    def sent(self, letter: WeeklyLetter) -> bool:
        return hasattr(letter, "send")

    @admin.display(description="posts in it so far")
    def posts(self, letter: WeeklyLetter) -> str:
        posts = weekly.posts_for(letter)
        if not posts:
            return "None yet: an issue with no new post is not sent."
        return format_html(
            "<ol>{}</ol>",
            format_html("".join("<li>{}</li>" for _ in posts), *[p.title for p in posts]),
        )

    def has_send_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(SEND)

    @admin.action(description="Send now", permissions=["send"])
    def send_now(self, request: HttpRequest, queryset) -> None:
        sent = [weekly.send_now(letter, sent_by=request.user) for letter in queryset]
        done = len([s for s in sent if s])
        if done:
            self.message_user(request, f"Sending now: {done}.", messages.SUCCESS)
        if len(sent) > done:
            self.message_user(
                request,
                f"Not sent, as they have gone already or have no posts: {len(sent) - done}.",
                messages.WARNING,
            )


class ArticleAdminWithLetters(ArticleAdmin):
    """The posts' admin, with each post's "Send by email…" page and its letter preview."""

    change_form_template = "admin/letters/article/change_form.html"

    def render_change_form(self, request: HttpRequest, context: dict, *args, **kwargs):
        context["may_send"] = request.user.has_perm(SEND)
        return super().render_change_form(request, context, *args, **kwargs)

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(partial(function, self))

        return [
            path("<path:object_id>/send/", view(send_by_email), name="articles_article_send"),
            path(
                "<path:object_id>/send/preview/",
                view(letter_preview),
                name="articles_article_send_preview",
            ),
            *super().get_urls(),
        ]


admin.site.unregister(Article)
admin.site.register(Article, ArticleAdminWithLetters)
