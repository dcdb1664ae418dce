"""A fixed-window counter per client address, kept in Django's cache.

With a shared cache (Redis) the limit holds across every worker process.
"""

import time

from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.http import HttpRequest


def hit(request: HttpRequest, *, action: str, limit: int, window: int) -> int:
    """Count one attempt; return 0 if allowed, else the seconds until the window ends."""
    now = int(time.time())
    window_start = now - now % window
    key = f"ratelimit:{action}:{get_adapter(request).get_client_ip(request)}:{window_start}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return 0 if count <= limit else window_start + window - now
