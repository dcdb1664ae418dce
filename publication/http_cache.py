"""What an HTTP cache in front of the site (nginx, Varnish, a CDN) may keep.

A page the same for every visitor without a cookie (pagecache.shareable: a 200 to a GET
that sets no cookie and is not private) says so to shared caches for SHARED_CACHE_SECONDS
(`s-maxage`), and to browsers that they must ask again (`max-age=0`: with its ETag, a 304),
so a reader who logs in never sees the visitor's page from their own cache. Every other
response says `private, no-store`: a request with a cookie (a session may change the page,
and the gate decides by it), a response that sets one, an error. A view that says how it
is cached (media, `never_cache`) keeps what it says. Pages vary on Cookie already (the gate,
CSRF): a cache in front should still pass any request with a cookie through, unstored
(deploy/nginx.conf).
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from .pagecache import shareable


class SharedCacheHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        if not request.COOKIES and shareable(request, response):
            patch_cache_control(
                response, public=True, max_age=0, s_maxage=settings.SHARED_CACHE_SECONDS
            )
        else:
            patch_cache_control(response, private=True, no_store=True)
        return response
