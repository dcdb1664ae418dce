import re
import uuid
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

from articles.models import Article
from members import access

from . import logging as logs

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestIdMiddleware:
    """Give each request an id, in its logs and in the X-Request-ID response header.

    An id from the load balancer is kept when it looks like one, so one id
    follows a request through every layer.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = logs.request_id.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            logs.request_id.reset(token)
        response["X-Request-ID"] = request.id
        return response


class RequestGuardMiddleware:
    """Refuse, unread, what no page could use.

    A body over REQUEST_MAX_BYTES gets a 413: uploads a little over the picture
    limit still reach the form, which says so next to the field; this stops the
    ones that would fill a disk. A query string holding a NUL byte gets a 400:
    no database column can hold one, so no lookup could use it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            limits = {
                "limit": filesizeformat(settings.REQUEST_MAX_BYTES),
                "picture_limit": filesizeformat(settings.IMAGE_MAX_BYTES),
            }
            return HttpResponse(render_to_string("413.html", limits), status=413)
        if any("\x00" in value for _, values in request.GET.lists() for value in values):
            return HttpResponse(render_to_string("400.html"), status=400)
        return self.get_response(request)


class TextGZipMiddleware(GZipMiddleware):
    """Django's gzip, with its BREACH padding, for text only: pictures are compressed already,
    and WhiteNoise serves static files precompressed (gzip and Brotli)."""

    TEXT_TYPES = ("text/", "application/rss+xml", "application/xml", "application/json")

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not response.get("Content-Type", "").startswith(self.TEXT_TYPES):
            return response
        return super().process_response(request, response)


class SecurityHeadersMiddleware:
    """The headers Django's SecurityMiddleware leaves out: Content-Security-Policy and
    Permissions-Policy, on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class MembersOnlyGateMiddleware:
    """Cut members-only posts to their preview for readers whose membership does not include them.

    Views stay unaware of the gate: a view that renders a post hands over a
    TemplateResponse carrying the article, and before it is rendered this puts the
    body the reader may read (whole, or the preview computed on save) and the
    access decision into its context. It never touches rendered HTML.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Pages for logged-in readers differ by reader: no shared cache may keep them, and no
        # browser either (a shared computer's Back button after logout). What a view says is
        # the same for everyone (uploaded pictures) stays public. Asked of the session (a
        # login in it), not of request.user (a login still good): never less often, and a
        # page that never asks who is reading (the feed) does not load the reader for this.
        if SESSION_KEY in request.session and "public" not in response.get("Cache-Control", ""):
            patch_cache_control(response, private=True, no_store=True)
        return response

    def process_template_response(
        self, request: HttpRequest, response: TemplateResponse
    ) -> TemplateResponse:
        article = (response.context_data or {}).get("article")
        if not isinstance(article, Article):
            return response
        decision = access.decide(access.reader_for(request), article)
        response.context_data["access"] = decision
        # Read only where the post's cached fragment is made: a post page's row comes
        # without its long texts (articles.views.ArticleDetailView).
        shown = "body_html" if decision.allowed else "preview_html"
        response.context_data["body_html"] = partial(getattr, article, shown)
        patch_vary_headers(response, ["Cookie"])
        return response
