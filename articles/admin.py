from functools import partial

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from .forms import ArticleForm, PullQuoteForm, PullQuoteFormSet
from .models import (
    SEARCH_VECTORS,
    Article,
    BodyPicture,
    Byline,
    Contributor,
    PullQuote,
    Topic,
)
from .preview import preview_view


class BylineInline(admin.StackedInline):
    """Stacked, so each box has its label (a tabular inline's have none), and plain
    selects, as for topics and packages: the admin's autocomplete widget has no accessible
    name (axe: aria-input-field-name). Contributors are tens, not thousands."""

    model = Byline
    extra = 1
    fields = [("contributor", "order")]
    verbose_name = "contributor"
    verbose_name_plural = "Byline (in order)"


class PullQuoteInline(admin.StackedInline):
    model = PullQuote
    form = PullQuoteForm
    formset = PullQuoteFormSet
    extra = 0
    fields = [("text",), ("attribution", "source_url"), "after_block"]


class BodyPictureInline(admin.StackedInline):
    model = BodyPicture
    extra = 0
    fields = [("name", "image"), "alt", "in_the_body"]
    readonly_fields = ["in_the_body"]
    verbose_name = "picture in the body"
    verbose_name_plural = "Pictures in the body"

    @admin.display(description="In the body")
    def in_the_body(self, picture: BodyPicture) -> str:
        if not picture.pk:
            return "Saved with the post, then shown wherever the body names it."
        return format_html(
            '<img src="{}" alt="" width="120" class="body-picture-thumbnail"> '
            "<code>![](picture:{})</code>",
            picture.as_shown()[0].smallest_url,
            picture.name,
        )


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    inlines = [BylineInline, PullQuoteInline, BodyPictureInline]
    list_display = ["title", "byline", "status", "visibility", "publish_at", "featured", "page"]
    list_filter = ["status", "visibility", "featured", "topics", "contributors"]
    search_fields = ["title", "dek", "slug"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["reading_minutes", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "dek", "body"]}),
        (
            "Publishing",
            {
                "fields": [
                    "status",
                    "publish_at",
                    "email_when_published",
                    ("visibility", "minimum_tier"),
                    "featured",
                    "topics",
                ]
            },
        ),
        ("Picture", {"fields": ["hero_image", "hero_alt", "hero_credit"]}),
        (
            "Search and link previews",
            {"fields": ["search_title", "search_description"], "classes": ["collapse"]},
        ),
        ("About", {"fields": ["staff_note", "reading_minutes", "created_at", "updated_at"]}),
    ]

    change_form_template = "admin/articles/article/change_form.html"

    def get_urls(self):
        preview = self.admin_site.admin_view(require_POST(partial(preview_view, self)))
        return [
            path("add/preview/", preview, name="articles_article_preview_new"),
            path("<path:object_id>/preview/", preview, name="articles_article_preview"),
            *super().get_urls(),
        ]

    def render_change_form(self, request: HttpRequest, context: dict, *args, obj=None, **kwargs):
        context["preview_url"] = (
            reverse("admin:articles_article_preview", args=[obj.pk])
            if obj
            else reverse("admin:articles_article_preview_new")
        )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        # The search vectors are as long as the text, and neither shown nor edited here.
        return super().get_queryset(request).for_display().defer(*SEARCH_VECTORS)

    @admin.display(description="By")
    def byline(self, article: Article) -> str:
        return ", ".join(b.contributor.name for b in article.bylines.all())

    @admin.display(description="Page")
    def page(self, article: Article) -> str:
        label = "View" if article.is_public_now else "Preview"
        return format_html('<a href="{}">{}</a>', article.get_absolute_url(), label)


@admin.register(Contributor)
class ContributorAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "name", "role_line", "user"]
    list_display_links = ["thumbnail", "name"]
    list_select_related = ["user"]
    search_fields = ["name", "role_line"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    fields = ["name", "slug", "role_line", "bio", "portrait", "links", "user"]

    @admin.display(description="Portrait")
    def thumbnail(self, contributor: Contributor) -> str:
        picture = contributor.portrait_picture
        if not picture:
            return "–"
        return format_html(
            '<img src="{}" alt="" width="48" height="48">',
            picture.smallest_url,
        )


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
