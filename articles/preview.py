"""A post as readers will see it, before it is saved: staff press "Preview" on its change
page and see what they typed as a visitor, as a member whose package includes it and as
one whose package does not, with the cut marked.

Nothing is saved and nothing is cached: the post page's fragments are keyed by a saved
post's revision, which an unsaved edit shares, so the preview renders outside them.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from members.access import INCLUDED, NOT_INCLUDED, VISITOR, Access, decide, sample_reader

from . import rendering
from .models import Article

CUT = (
    '<p class="preview-cut" role="note">Readers it is not for stop here: '
    "above is the free preview.</p>"
)


@dataclass(frozen=True)
class Version:
    """The post as one kind of reader reads it."""

    slug: str
    heading: str
    access: Access
    body_html: str


def preview_view(model_admin, request: HttpRequest, object_id: str | None = None) -> HttpResponse:
    """The change page's form, posted here (POST only: it holds what was typed)."""
    saved = model_admin.get_object(request, unquote(object_id)) if object_id else None
    if object_id and saved is None:
        raise Http404("No post here.")
    allowed = (
        model_admin.has_change_permission(request, saved)
        if saved
        else model_admin.has_add_permission(request)
    )
    if not allowed:
        raise PermissionDenied
    form = model_admin.get_form(request, saved, change=saved is not None)(
        request.POST, request.FILES, instance=saved
    )
    form.is_valid()  # takes in what was typed; what the save would refuse shows on saving
    post: Article = form.instance
    if "body" in form.errors:  # a picture not saved yet, say: shown as typed all the same
        post.body = form["body"].value()
    post.settle_publishing()  # as saving would: a post published without a time is out now
    bylines, quotes = typed_inlines(model_admin, request, post)
    pictures = {p.name: p.as_shown() for p in post.body_pictures.all()} if post.pk else {}
    fields = rendering.rendered_fields(
        post.body, quotes, pictures, preview_paragraphs=settings.MEMBERS_PREVIEW_PARAGRAPHS
    )
    for name, value in fields.items():
        setattr(post, name, value)
    return TemplateResponse(
        request,
        "admin/articles/article/preview.html",
        {
            "article": post,
            "bylines": bylines,
            "topics": form.cleaned_data.get("topics") or [],
            "versions": versions(post),
            "unsaved_pictures": [
                n for n in rendering.picture_names(post.body) if n not in pictures
            ],
            "new_hero": "hero_image" in request.FILES,
        },
    )


def typed_inlines(model_admin, request: HttpRequest, post: Article) -> tuple[list, list]:
    """The byline and the pull quotes as the change page sends them, saved or not."""
    saved = post if post.pk else None
    typed = {}
    for inline in model_admin.get_inline_instances(request, saved):
        formset_class = inline.get_formset(request, saved)
        prefix = formset_class.get_default_prefix()
        if prefix not in {"bylines", "pull_quotes"}:
            continue  # pictures: shown as saved (a new upload is named on the page instead)
        formset = formset_class(request.POST, request.FILES, instance=post, prefix=prefix)
        typed[prefix] = [form for form in formset.forms if would_be_saved(form)]
    bylines = sorted((form.instance for form in typed["bylines"]), key=lambda b: b.order)
    quotes = [form.as_quote() for form in typed["pull_quotes"]]
    return bylines, quotes


def would_be_saved(form) -> bool:
    return (
        form.is_valid()
        and (form.instance.pk is not None or form.has_changed())
        and not form.cleaned_data.get("DELETE")
    )


def versions(post: Article) -> list[Version]:
    """The post as a visitor, a member it is for and a member it is not for read it."""
    visitor = decide(VISITOR, post)
    if post.visibility == Article.Visibility.PUBLIC:
        return [Version("everyone", "As everyone reads it", visitor, post.body_html)]
    member, other = sample_reader(post, INCLUDED), sample_reader(post, NOT_INCLUDED)
    return [
        Version("visitor", "As a visitor", visitor, post.preview_html),
        Version(
            "member",
            f"As a {member.tier.name} member, whose package includes it"
            if member.tier
            else "As a member",
            decide(member, post),
            with_cut(post.body_html, post.preview_html),
        ),
        Version(
            "not-included",
            f"As a {other.tier.name} member, whose package does not include it"
            if other.tier
            else "As a reader logged in without a membership",
            decide(other, post),
            post.preview_html,
        ),
    ]


def with_cut(body_html: str, preview_html: str) -> str:
    """The whole body, marked where the free preview ends."""
    if not body_html.startswith(preview_html):
        return body_html
    return f"{preview_html}\n{CUT}{body_html[len(preview_html) :]}"
