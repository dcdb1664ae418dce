"""The members-only gate, as view middleware."""

from collections.abc import Callable
from functools import partial

from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

from articles.models import Article

from . import access


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
