"""The welcome staff send imported members, when the new site is ready for them: it
tells them how to log in (a code sent to their address) and holds no way in itself."""

from django.conf import settings
from django.urls import reverse

from members.emails import render, user_of
from outbox.models import Email
from outbox.tasks import Rendered, kind, queue_many
from publication.permissions import require

from .models import Imported

WELCOME = "ghost.change_importedmember"


def welcome(users, *, sent_by) -> list[Email]:
    require(sent_by, WELCOME)
    subject = f"{settings.PUBLICATION_NAME} has moved: log in with a code"
    return queue_many(
        [Email(kind="ghost_welcome", to=u.email, subject=subject, user=u) for u in users]
    )


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
