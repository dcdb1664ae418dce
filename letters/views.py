"""Leaving the letter: the link in every letter, as a page with one button, and as the
one-click POST that mailbox providers make for a reader (RFC 8058). Both only ever turn
the letter off, so they need no login and no CSRF token: the signed link is the key."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from members.models import User

from .links import user_for


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    member = user_for(token)
    if member is None:
        return render(request, "letters/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        User.objects.filter(pk=member.pk).update(receives_letter=False)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse("Unsubscribed.\n", content_type="text/plain")
        return render(request, "letters/unsubscribe.html", {"member": member, "done": True})
    return render(request, "letters/unsubscribe.html", {"member": member})
