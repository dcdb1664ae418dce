"""The record of every decision (members.models.Event): what happened, to which
application or membership, by whom. Each workflow calls these in its own transaction."""

from collections.abc import Iterable

from .models import Application, Event, Membership, Tier, User

What, Actor = Event.What, Event.Actor


def record(
    what: str,
    applications: Iterable[Application],
    *,
    actor: str = Actor.STAFF,
    staff: User | None = None,
    detail: str = "",
) -> None:
    """One event for each application (and its account, if it has one yet)."""
    Event.objects.bulk_create(
        Event(
            application_id=a.pk,
            user_id=a.user_id,
            what=what,
            actor=actor,
            staff=staff,
            detail=detail,
        )
        for a in applications
    )


def memberships_granted(
    applications: list[Application], staff: User, renewed: set[int], tier: Tier | None
) -> None:
    """Approval starts a membership, or renews one that had ended, in the package given."""
    Event.objects.bulk_create(
        Event(
            application_id=a.pk,
            user_id=a.user.pk,
            what=What.MEMBERSHIP_RENEWED if a.user.pk in renewed else What.MEMBERSHIP_STARTED,
            actor=Actor.STAFF,
            staff=staff,
            detail=(tier or a.tier).name,
        )
        for a in applications
    )


def packages_moved(
    applications: list[Application],
    moved_from: dict[int, Tier],
    memberships: dict[int, Membership],
    staff: User,
) -> None:
    """Approving a member's request to move changes the package of their membership."""
    Event.objects.bulk_create(
        Event(
            application_id=a.pk,
            user_id=a.user_id,
            what=What.TIER_CHANGED,
            actor=Actor.STAFF,
            staff=staff,
            detail=f"{moved_from[a.pk].name} → {memberships[a.pk].tier.name}",
        )
        for a in applications
    )


def invitation_used(user: User) -> None:
    application = Application.objects.filter(user=user).order_by("-reviewed_at").first()
    Event.objects.create(
        application=application, user=user, what=What.INVITATION_USED, actor=Actor.APPLICANT
    )


def membership_changed(before: Membership | None, after: Membership, staff: User) -> None:
    """What staff changed on a membership in the admin, one event a change."""
    changes = []
    if before is None:
        changes.append((What.MEMBERSHIP_STARTED, after.tier.name))
    else:
        if before.tier_id != after.tier_id:
            changes.append((What.TIER_CHANGED, f"{before.tier.name} → {after.tier.name}"))
        if before.status != after.status:
            ended = after.status == Membership.Status.ENDED
            changes.append((What.MEMBERSHIP_ENDED if ended else What.MEMBERSHIP_RENEWED, ""))
        if before.ends_at != after.ends_at:
            ends = f"{after.ends_at:%Y-%m-%d}" if after.ends_at else "no end"
            changes.append((What.ENDS_CHANGED, ends))
    Event.objects.bulk_create(
        Event(user_id=after.user_id, what=what, actor=Actor.STAFF, staff=staff, detail=detail)
        for what, detail in changes
    )
