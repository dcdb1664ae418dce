import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.decorators import method_decorator
from django.utils.http import urlsafe_base64_decode
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django.views.generic import ListView

from publication.answers import CachedAnswer

from . import history, leaving, moves, ratelimit
from .access import reader_of
from .applications import submit
from .forms import ApplicationForm, LeaveForm, MoveForm, local_path
from .invitations import invitation_tokens, login_link_tokens
from .models import Application, Tier, User, with_places_taken


class PackagesView(ListView):
    template_name = "members/packages.html"
    context_object_name = "tiers"

    def get_queryset(self) -> list[Tier]:
        """The public packages, cached whole in Redis as a post's row is (any change to a
        package moves the cache on); the places taken in those with a capacity counted
        afresh, as a membership moves no cache."""
        return with_places_taken(
            CachedAnswer("packages").get_or_set(lambda: list(Tier.objects.public()))
        )

    def get_context_data(self, **kwargs):
        # The reader came with their membership (members.backends): no query.
        return {**super().get_context_data(**kwargs), "yours": reader_of(self.request.user).tier}


@require_http_methods(["GET", "HEAD", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ApplicationForm(request.POST)
        # Only a form that would be sent counts towards the limits: a typo costs nothing.
        if form.is_valid():
            wait = ratelimit.client_waits(request, "apply") or ratelimit.address_waits(
                form.cleaned_data["email"], "apply"
            )
            if wait:
                return too_many(request, wait)
            if not form.is_bot:
                submit(form.cleaned_data)
            # The same page whatever happened: it must not tell who has applied or is a
            # member. The mailbox's owner learns the rest by email.
            return redirect("members:thanks")
    else:
        tier = Tier.objects.public().filter(slug=request.GET.get("tier", "")).first()
        initial = {"started_from": local_path(request.GET.get("from", ""))}
        form = ApplicationForm(initial={**initial, "tier": tier} if tier else initial)
    return render(request, "members/apply.html", {"form": form})


def too_many(request: HttpRequest, wait: int) -> HttpResponse:
    minutes = math.ceil(wait / 60)
    response = render(request, "members/too_many.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(wait)
    return response


def thanks(request: HttpRequest) -> HttpResponse:
    valid_hours = settings.CONFIRMATION_MAX_AGE // 3600
    return render(request, "members/thanks.html", {"valid_hours": valid_hours})


class AcceptInvitationView(auth_views.PasswordResetConfirmView):
    """The link in the invitation: choose a password, then arrive logged in."""

    template_name = "members/accept_invitation.html"
    token_generator = invitation_tokens
    post_reset_login = True
    post_reset_login_backend = "members.backends.ModelBackend"

    def get_success_url(self) -> str:
        """The post whose gate led to the application, else the new member's account."""
        application = Application.objects.filter(user=self.user).order_by("-reviewed_at").first()
        started_from = local_path(application.started_from) if application else ""
        return started_from or reverse("members:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        history.invitation_used(form.user)
        messages.success(
            self.request,
            f"Welcome to {settings.PUBLICATION_NAME}. Your membership is ready: enjoy reading.",
        )
        return response


@method_decorator(never_cache, name="dispatch")
class LoginLinkView(View):
    """The link emailed to a member who applied again: a button that logs them in. A mail
    scanner following the link does not use it up; logging in does."""

    def dispatch(self, request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
        try:
            pk = urlsafe_base64_decode(uidb64).decode()
            user = User.objects.filter(pk=int(pk), is_active=True).first()
        except (ValueError, TypeError, UnicodeDecodeError):
            user = None
        self.user = user if login_link_tokens.check_token(user, token) else None
        return super().dispatch(request, uidb64, token)

    def get(self, request: HttpRequest, *args) -> HttpResponse:
        return render(request, "members/login_link.html", {"member": self.user})

    def post(self, request: HttpRequest, *args) -> HttpResponse:
        if self.user is None:
            return self.get(request)
        login(request, self.user, backend="members.backends.ModelBackend")
        messages.success(request, f"Welcome back to {settings.PUBLICATION_NAME}.")
        return redirect("members:account")


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def move(request: HttpRequest, slug: str) -> HttpResponse:
    """A member asks to move to another package: a page that says what happens, and a button."""
    tier = get_object_or_404(Tier.objects.public(), slug=slug)
    current = reader_of(request.user).tier
    if current is None:
        return redirect(tier.get_absolute_url())  # not a member now: joining is by application
    if current == tier:
        messages.info(request, f"{tier.name} is your package already.")
        return redirect("members:account")
    waiting, again_on = moves.waiting(request.user), moves.may_ask_again_on(request.user)
    form = MoveForm(request.POST if request.method == "POST" else None)
    if waiting is None and again_on is None and form.is_valid():
        if moves.ask(request.user, tier, form.cleaned_data["note"]):
            messages.success(
                request,
                f"Your request to move to {tier.name} is in line. We will email you when our "
                "editors have decided.",
            )
            return redirect("members:application")
        waiting = moves.waiting(request.user)  # one was put in line a moment ago
    context = {
        "tier": tier,
        "current": current,
        "waiting": waiting,
        "again_on": again_on,
        "form": form,
    }
    return render(request, "members/move.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def leave(request: HttpRequest) -> HttpResponse:
    """Leaving asks first: when, and whether the free letter should keep coming."""
    membership = getattr(request.user, "membership", None)
    if membership is None or not membership.is_active:
        messages.info(request, "You have no membership to leave.")
        return redirect("members:account")
    form = LeaveForm(
        request.POST if request.method == "POST" else None,
        membership=membership,
        initial={"keep_letter": request.user.receives_letter},
    )
    if form.is_valid():
        now = form.cleaned_data["when"] == "now"
        left = leaving.leave(request.user, now=now, keep_letter=form.cleaned_data["keep_letter"])
        if left is not None and now:
            messages.success(
                request,
                "Your membership has ended. You are welcome back whenever you like: apply "
                "again from the packages page.",
            )
        elif left is not None:
            day = dateformat.format(timezone.localtime(left.ends_at), "j F Y")
            messages.success(request, f"Your membership ends on {day}. Until then, read on.")
        return redirect("members:account")
    return render(request, "members/leave.html", {"form": form, "membership": membership})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    # Loaded with the reader, with its tier (members/backends.py): no query of its own.
    membership = getattr(request.user, "membership", None)
    is_member = membership is not None and membership.is_active
    if request.method == "POST":
        wanted = request.POST.get("receives_letter") == "on"
        changes = {"receives_letter": wanted}
        if wanted and not is_member:
            # Their login proved the mailbox: they join the free list as a confirmed link does.
            changes["subscribed_at"] = timezone.now()
        User.objects.filter(pk=request.user.pk).update(**changes)
        messages.success(
            request,
            "You will receive the letter." if wanted else "We will send you no more letters.",
        )
        return redirect("members:account")
    user = request.user
    context = {
        "membership": membership,
        "is_member": is_member,
        # As letters.audience decides: members who want it, and subscribers who do.
        "gets_letter": user.receives_letter and (is_member or user.subscribed_at is not None),
        "waiting": moves.waiting(user) if is_member else None,
    }
    return render(request, "members/account.html", context)
