"""The applicant's side once the form is sent: confirming by the emailed link, and their
own page, opened only by a signed link from their mailbox (members/links.py).

Following a link keeps its token in the session and redirects, so the page's address
carries no secret; the token is checked again on every request, so it still expires.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import dateformat, timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import applications, links, moves, ratelimit
from .forms import AnswersChangeForm, SendLinkForm
from .models import Application
from .views import too_many

SESSION_KEY = "members.application"


def link_expired(request: HttpRequest) -> HttpResponse:
    return render(
        request, "members/send_link.html", {"form": SendLinkForm(), "expired": True}, status=410
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link shows the answers and a button: a mail scanner that follows every link
    must not use it up."""
    submission = links.submission_for(token)
    if submission is None:
        return link_expired(request)
    if request.method != "POST":
        context = {
            "submission": submission,
            "differs": applications.differs(submission),
            # Confirming opens this one instead, and keeps none of these answers.
            "standing": applications.standing(submission.email),
        }
        return render(request, "members/confirm.html", context)
    confirmation = applications.confirm(submission)
    if confirmation is None:
        return link_expired(request)
    application = confirmation.application
    if application is None:
        return render(request, "members/confirmed_member.html")
    if confirmation.created:
        messages.success(request, "Thank you: your application is confirmed and in line.")
    elif application.status == Application.Status.PENDING:
        messages.info(
            request,
            f"You had already applied with this address on {day(application.created_at)}, "
            "so that application stands and your new answers were not kept. You can change "
            "its answers here.",
        )
    open_own_page(request, application)
    return redirect("members:application")


def day(moment) -> str:
    return dateformat.format(timezone.localtime(moment), "j F Y")


@never_cache
def follow_application_link(request: HttpRequest, token: str) -> HttpResponse:
    application = links.application_for(token)
    if application is None:
        return link_expired(request)
    open_own_page(request, application)
    return redirect("members:application")


def open_own_page(request: HttpRequest, application: Application) -> None:
    # A new session key: one a stranger planted in this browser gains nothing.
    request.session.cycle_key()
    request.session[SESSION_KEY] = links.application_token(application)


def own_application(request: HttpRequest) -> Application | None:
    token = request.session.get(SESSION_KEY)
    return links.application_for(token) if token else None


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def own_page(request: HttpRequest) -> HttpResponse:
    application = own_application(request)
    if application is None and request.user.is_authenticated:
        # Their address is proven by their login: their applications, without a link.
        mine = Application.objects.filter(email=request.user.email).select_related(
            "tier", "moving_from"
        )
        return render(request, "members/my_applications.html", {"applications": mine})
    if application is None:
        return render(request, "members/send_link.html", {"form": SendLinkForm()})
    form = None
    if application.status == Application.Status.PENDING:
        data = request.POST if request.method == "POST" else None
        form = AnswersChangeForm(data, application=application)
        if form.is_valid():
            if applications.change_answers(application, form.cleaned_data):
                messages.success(request, "Your changes are saved.")
            else:
                messages.info(request, "Your application was decided meanwhile: nothing changed.")
            return redirect("members:application")
    elif request.method == "POST":
        return redirect("members:application")
    shows_place = form is not None and application.tier.shows_place_in_line
    return render(
        request,
        "members/application.html",
        {
            "application": application,
            "form": form,
            "place": application.place_in_line() if shows_place else None,
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request: HttpRequest) -> HttpResponse:
    application = own_application(request)
    if application is None and request.user.is_authenticated:
        application = moves.waiting(request.user)  # their login proves the address
    if application is None or application.status != Application.Status.PENDING:
        return redirect("members:application")
    if request.method == "POST":
        applications.withdraw(application)
        messages.success(request, "Your application is withdrawn.")
        return redirect("members:application")
    return render(request, "members/withdraw.html", {"application": application})


@never_cache
@require_POST
def send_link(request: HttpRequest) -> HttpResponse:
    """The same answer whatever the address: only its mailbox learns whether it applied."""
    form = SendLinkForm(request.POST)
    if not form.is_valid():  # a typo costs nothing against the limits
        return render(request, "members/send_link.html", {"form": form})
    address = form.cleaned_data["email"]
    wait = ratelimit.client_waits(request, "application-link") or ratelimit.address_waits(
        address, "application-link"
    )
    if wait:
        return too_many(request, wait)
    applications.send_link(address)
    return redirect("members:link-sent")


def link_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "members/link_sent.html")
