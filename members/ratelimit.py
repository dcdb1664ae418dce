"""A fixed-window counter kept in Django's cache, for limits allauth does not cover.

With a shared cache (Redis) the limit holds across every worker process.
"""

import hashlib
import time

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address as allauth's own rate limits see it (TRUSTED_PROXY_COUNT)."""
    return get_adapter(request).get_client_ip(request)


def client_waits(request: HttpRequest, action: str) -> int:
    """The waitlist's limit per client address: APPLICATION_RATE_LIMIT per window."""
    return hit(
        action=action,
        key=client_address(request),
        limit=settings.APPLICATION_RATE_LIMIT,
        window=settings.APPLICATION_RATE_WINDOW,
    )


def address_waits(address: str, action: str) -> int:
    """The waitlist's limit per (canonical) address: APPLICATION_EMAIL_RATE_LIMIT per window."""
    return hit(
        action=f"{action}-email",
        key=address,
        limit=settings.APPLICATION_EMAIL_RATE_LIMIT,
        window=settings.APPLICATION_RATE_WINDOW,
    )


def hit(*, action: str, key: str, limit: int, window: int) -> int:
    """Count one attempt; return 0 if allowed, else the seconds until the window ends."""
    now = int(time.time())
    window_start = now - now % window
    # Hashed, so no email address or IP sits in the cache's key space in the clear.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{action}:{digest}:{window_start}"
    cache.add(cache_key, 0, timeout=window)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window)
        count = 1
    return 0 if count <= limit else window_start + window - now
