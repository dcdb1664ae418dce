"""The free list and leaving the letter.

Subscribing takes an address from a short form on every page, which is cached for
visitors and so carries no CSRF token: the form is exempt, because all it does is email
a link to the address typed, which anyone may ask for on their own; the mailbox
decides, and the rate limits hold. Confirming is a page with a button (CSRF-protected).

Leaving is the link in every letter, as a page with one button, and as the one-click
POST that mailbox providers make for a reader (RFC 8058). Both only ever turn the letter
off, so they need no login and no CSRF token: the signed link is the key.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from members import ratelimit
from members.applications import current_member
from members.models import User
from members.views import too_many

from . import subscriptions
from .forms import SubscribeForm
from .links import user_for


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "letters/subscribe.html", {"form": SubscribeForm()})
    form = SubscribeForm(request.POST)
    if not form.is_valid():  # a typo costs nothing against the limits
        return render(request, "letters/subscribe.html", {"form": form})
    address = form.cleaned_data["email"]
    wait = ratelimit.client_waits(request, "subscribe") or ratelimit.address_waits(
        address, "subscribe"
    )
    if wait:
        return too_many(request, wait)
    if not form.is_bot:
        subscriptions.subscribe(address)
    return redirect("letters:subscribe-thanks")


def subscribe_thanks(request: HttpRequest) -> HttpResponse:
    valid_hours = settings.CONFIRMATION_MAX_AGE // 3600
    return render(request, "letters/subscribe_thanks.html", {"valid_hours": valid_hours})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link shows a button: a mail scanner that follows every link must not use it up."""
    asked = subscriptions.request_for(token)
    subscribed = subscriptions.confirm(asked) if asked and request.method == "POST" else None
    if asked is None or (request.method == "POST" and subscribed is None):
        context = {"form": SubscribeForm(), "expired": True}
        return render(request, "letters/subscribe.html", context, status=410)
    if subscribed is None:
        return render(request, "letters/confirm_subscription.html", {"address": asked.email})
    return render(request, "letters/subscribed.html", {"subscribed": subscribed})


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    reader = user_for(token)
    if reader is None:
        return render(request, "letters/unsubscribe.html", {"invalid": True}, status=404)
    context = {
        "reader": reader,
        "is_member": current_member(reader.email) is not None,
    }
    if request.method == "POST":
        User.objects.filter(pk=reader.pk).update(receives_letter=False)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse("Unsubscribed.\n", content_type="text/plain")
        return render(request, "letters/unsubscribe.html", {**context, "done": True})
    return render(request, "letters/unsubscribe.html", context)
