"""The welcome staff send imported members, when the new site is ready for them: it
tells them how to log in (a code sent to their address) and holds no way in itself."""

from django.conf import settings
from django.db.models import Max, Q
from django.urls import reverse

from members.emails import render, user_of
from members.models import User
from outbox.models import Email
from outbox.tasks import Rendered, kind, queue_many
from publication.permissions import require

from .models import Imported

WELCOME = "ghost.change_importedmember"


def subject() -> str:
    return f"{settings.PUBLICATION_NAME} has moved: log in with a code"


def welcome(users: list[User], *, sent_by, again: bool = False) -> list[Email]:
    """Queue the welcome for each; those who had it already only when staff say `again`."""
    require(sent_by, WELCOME)
    chosen = User.objects.filter(pk__in=[u.pk for u in users])
    had_it = set() if again else set(welcomed(chosen).values_list("pk", flat=True))
    return queue_many(
        [
            Email(kind="ghost_welcome", to=u.email, subject=subject(), user=u)
            for u in users
            if u.pk not in had_it
        ]
    )


# A welcome counts once it is queued, being sent or sent: not one that failed or was cancelled.
GIVEN = ~Q(emails__state__in=[Email.State.FAILED, Email.State.CANCELLED])


def with_welcome(users):
    """Each member with `welcomed_at`: when their last welcome was queued (None: never).
    The outbox is the record, one email a member."""
    given = Q(emails__kind="ghost_welcome") & GIVEN
    return users.annotate(welcomed_at=Max("emails__created_at", filter=given))


def welcomed(users):
    return with_welcome(users).filter(welcomed_at__isnull=False)


def imported(users):
    ids = Imported.objects.filter(kind="member").values("object_id")
    return users.filter(pk__in=ids)


@kind("ghost_welcome", related=("user__membership__tier",))
def render_welcome(email: Email) -> Rendered:
    member = user_of(email)
    context = {
        "member": member,
        "tier": getattr(getattr(member, "membership", None), "tier", None),
        "login_url": settings.SITE_URL + reverse("account_request_login_code"),
    }
    return render("welcome", email, context, folder="ghost/email")
