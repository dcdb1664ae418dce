import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string

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
