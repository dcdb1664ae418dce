"""Staff decisions on applications: approve, decline, resend the invitation.

Each decides on many applications at once, in one transaction and a fixed number of
queries, so the admin answers at once for hundreds. It locks the applications first
so two staff clicking at once cannot both act, and queues the emails in that
transaction: the worker sends them once the decision has committed, and a page never
waits on the mail server.
"""

import enum
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Lower
from django.template.defaultfilters import pluralize
from django.utils import timezone

from publication.permissions import require

from . import emails, history
from .models import Application, Membership, Tier, User, record_email_addresses

# What every decision on an application needs, in the admin and here.
DECIDE = "members.change_application"


class Result(enum.Enum):
    DONE = "done"
    MOVED = "moved"  # a member's request to move: their membership changed package
    ALREADY = "already"  # nothing to do: repeating the action changes nothing
    NOT_APPLICABLE = "not applicable"


def locked(applications: Iterable[Application]) -> list[Application]:
    pks = [application.pk for application in applications]
    return list(
        Application.objects.select_for_update(of=("self",))
        .select_related("user", "tier")
        .filter(pk__in=pks)
        .order_by("pk")
    )


def approve_applications(
    applications: Iterable[Application],
    *,
    tier: Tier | None = None,
    approved_by: User,
    ends_at: datetime | None = None,
) -> list[Result]:
    """Make each applicant a member of `tier` (by default the one they asked for); invite them."""
    require(approved_by, DECIDE)
    with transaction.atomic():
        rows = locked(applications)
        approving = [a for a in rows if a.status != Application.Status.APPROVED]
        memberships = moving_memberships(approving)
        moving = [a for a in approving if a.pk in memberships]
        joining = [a for a in approving if a.pk not in memberships]
        users = accounts_for(joining)
        had_membership = set(
            Membership.objects.filter(user__in=users.values()).values_list("user", flat=True)
        )
        now = timezone.now()
        Membership.objects.bulk_create(
            [
                Membership(
                    user=users[a.email.lower()],
                    tier_id=tier.pk if tier else a.tier_id,
                    status=Membership.Status.ACTIVE,
                    started_at=now,
                    ends_at=ends_at,
                )
                for a in joining
            ],
            update_conflicts=True,
            unique_fields=["user"],
            update_fields=["tier", "status", "started_at", "ends_at"],
        )
        moved_from = move(moving, memberships, tier, ends_at)
        # One UPDATE for all: each application's account found by its address (indexed).
        Application.objects.filter(pk__in=[a.pk for a in approving]).update(
            status=Application.Status.APPROVED,
            user=Subquery(
                User.objects.annotate(lower=Lower("email"))
                .filter(lower=Lower(OuterRef("email")))
                .values("pk")[:1]
            ),
            reviewed_by=approved_by,
            reviewed_at=now,
            updated_at=now,
            invitation_sent_at=None,  # set once the email has gone
        )
        for application in joining:
            application.user = users[application.email.lower()]
        history.record(history.What.APPROVED, approving, staff=approved_by)
        history.memberships_granted(joining, approved_by, had_membership, tier)
        history.packages_moved(moving, moved_from, memberships, approved_by)
        emails.invitations(joining)
        emails.moved(moving, tier)
    # `rows` hold the statuses from before the update.
    return [
        Result.ALREADY
        if a.status == Application.Status.APPROVED
        else Result.MOVED
        if a.pk in memberships
        else Result.DONE
        for a in rows
    ]


def moving_memberships(applications: list[Application]) -> dict[int, Membership]:
    """The current membership of each application that asks to move, by application: one
    whose membership has ended since is approved as anyone's, and starts a new one."""
    asking = {a.user_id: a for a in applications if a.moving_from_id and a.user_id}
    current = Membership.objects.current().select_related("tier").filter(user__in=asking)
    return {asking[m.user_id].pk: m for m in current}


def move(
    applications: list[Application],
    memberships: dict[int, Membership],
    tier: Tier | None,
    ends_at: datetime | None,
) -> dict[int, Tier]:
    """Change the package of each member's membership; keep when it began, and when it
    ends unless staff gave an end. Returns the package each moved from."""
    moved_from = {}
    for application in applications:
        membership = memberships[application.pk]
        moved_from[application.pk] = membership.tier
        membership.tier = tier or application.tier
        membership.ends_at = ends_at or membership.ends_at
    Membership.objects.bulk_update(memberships.values(), ["tier", "ends_at"])
    return moved_from


def over_capacity(applications: Iterable[Application], tier: Tier | None = None) -> list[str]:
    """For each package approving these would overfill: what is asked and what is left."""
    wanted = Counter(
        tier or a.tier for a in applications if a.status != Application.Status.APPROVED
    )
    return [
        f"{package.name}: {count} to admit, {left} place{pluralize(left)} left "
        f"(capacity {package.capacity})"
        for package, count in sorted(wanted.items(), key=lambda item: item[0].rank)
        if (left := package.places_left()) is not None and count > left
    ]


def approve_application(application: Application, **decision) -> Result:
    return approve_applications([application], **decision)[0]


def decline_applications(
    applications: Iterable[Application], *, declined_by: User, notify: bool, note: str = ""
) -> list[Result]:
    """Decline pending applications, and tell them by email if `notify`, with staff's
    `note` (plain text, kept in the history too); a member's access is ended on their
    membership instead."""
    require(declined_by, DECIDE)
    outcome = {
        Application.Status.PENDING: Result.DONE,
        Application.Status.DECLINED: Result.ALREADY,
        Application.Status.APPROVED: Result.NOT_APPLICABLE,
    }
    with transaction.atomic():
        rows = locked(applications)
        declining = [a for a in rows if a.status == Application.Status.PENDING]
        now = timezone.now()
        Application.objects.filter(pk__in=[a.pk for a in declining]).update(
            status=Application.Status.DECLINED,
            reviewed_by=declined_by,
            reviewed_at=now,
            updated_at=now,
        )
        detail = ("told by email" if notify else "not told") + (f": {note}" if note else "")
        history.record(history.What.DECLINED, declining, staff=declined_by, detail=detail[:200])
        if notify:
            emails.declined_many(declining, note)
    return [outcome[a.status] for a in rows]


def decline_application(application: Application, **decision) -> Result:
    return decline_applications([application], **decision)[0]


def resend_invitations(
    applications: Iterable[Application], *, resent_by: User | None = None
) -> list[Result]:
    """Send a fresh link to approved applicants who have not yet set up their accounts.

    Only the newest link works: an earlier one may sit in a mailbox someone else reads.
    """
    require(resent_by, DECIDE)
    results, resending = [], []
    with transaction.atomic():
        for application in locked(applications):
            user = application.user
            if application.status != Application.Status.APPROVED or user is None:
                results.append(Result.NOT_APPLICABLE)
            elif user.last_login is not None:
                results.append(Result.ALREADY)  # they are in; a forgotten password has a reset
            else:
                results.append(Result.DONE)
                resending.append(application)
        # A new random placeholder changes what invitation links sign: earlier ones die.
        users = [a.user for a in resending if not a.user.has_usable_password()]
        for user in users:
            user.set_unusable_password()
        User.objects.bulk_update(users, ["password"])
        history.record(history.What.INVITATION_RESENT, resending, staff=resent_by)
        emails.invitations(resending)
    return results


def resend_invitation(application: Application, **by) -> Result:
    return resend_invitations([application], **by)[0]


def accounts_for(applications: list[Application]) -> dict[str, User]:
    """Each applicant's account by lowercased email: the existing one, or a new one."""
    addresses = {a.email.lower() for a in applications}
    users = {
        user.lower: user
        for user in User.objects.annotate(lower=Lower("email")).filter(lower__in=addresses)
    }
    new = []
    for application in applications:
        if application.email.lower() not in users:
            first, last = application.first_and_last_name
            user = User(
                email=User.objects.normalize_email(application.email).strip(),
                first_name=first[:150],
                last_name=last[:150],
            )
            user.set_unusable_password()
            users[application.email.lower()] = user
            new.append(user)
    User.objects.bulk_create(new)
    record_email_addresses(list(users.values()))
    return users
