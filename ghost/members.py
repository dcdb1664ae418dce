"""Ghost's members CSV into accounts: paid and complimentary members with a membership,
free members on the free list. It takes Ghost's own export and the CSV Ghost documents for
moving from elsewhere, where only `email` is needed. No password (they log in by a code
sent to their address, as Ghost's members did with magic links) and no email sent: staff
send a welcome from the admin when they are ready."""

import csv
from collections import Counter
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from members.addresses import canonical
from members.models import Membership, Tier, User

from .export import ExportError
from .models import Imported

# The columns of Ghost's members CSV (https://ghost.org/help/import-members/): only `email`
# is needed; `tiers` was `products` before Ghost 5.
USED = ["id", "email", "name", "note", "subscribed_to_emails", "complimentary_plan",
        "created_at", "deleted_at", "labels", "tiers", "products"]  # fmt: skip
TRUE = {"true", "1", "yes"}


def read(path: Path, report) -> list[dict]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            reader = csv.DictReader(file)
            rows = list(reader)
            header = reader.fieldnames or []
    except FileNotFoundError:
        raise ExportError(f"{path}: no such file.") from None
    except UnicodeDecodeError:
        raise ExportError(f"{path}: not a text file (Ghost's members CSV is text).") from None
    if "email" not in header:
        raise ExportError(f"{path}: not a members CSV: no column email (the one it needs).")
    if unused := [column for column in header if column not in USED]:
        report.to_check.append(f"{path.name}: columns not imported: {', '.join(unused)}")
    return rows


def import_members(path: Path, *, free_tier: Tier | None, report) -> None:
    """Each member an account, with a membership or on the free list; checked whole
    before anything is written."""
    rows = read(path, report)
    counts: Counter = report.counts["members"]
    seen: dict[str, int] = {}
    wanted = []
    for line, row in enumerate(rows, start=2):
        if row.get("deleted_at"):
            counts["skipped (deleted in Ghost)"] += 1
            continue
        try:
            email = canonical(row["email"] or "")
        except ValidationError as error:
            raise ExportError(
                f"{path.name} line {line} ({row['email']}): {' '.join(error.messages)}"
            ) from None
        if email in seen:
            raise ExportError(
                f"{path.name} line {line} ({email}): the same address as line {seen[email]}."
            )
        seen[email] = line
        wanted.append((row, email, tier_of(row, free_tier)))
    for row, email, tier in wanted:
        if tier is None:
            subscriber(row, email, report.counts["free subscribers"])
        else:
            member(row, email, tier, counts)


def tier_of(row: dict, free_tier: Tier | None) -> Tier | None:
    """The highest package named in the row; complimentary members without one get the
    lowest paid package; free members the one staff named, or none."""
    names = [n.strip() for n in (row.get("tiers") or row.get("products") or "").split(",")]
    query = Q()
    for name in filter(None, names):
        query |= Q(name__iexact=name)
    named = Tier.objects.filter(query).order_by("-rank").first() if query else None
    if named:
        return named
    if (row.get("complimentary_plan") or "").lower() in TRUE:
        return Tier.objects.exclude(monthly_price=None).order_by("rank").first()
    return free_tier


def account(row: dict, email: str) -> tuple[User, str]:
    """The reader's account: the one imported before, the one here with that address, or
    a new one without a password; and how it was found."""
    ghost_id = row.get("id") or f"email:{email}"  # Ghost's documented CSV has no id
    mapping = Imported.objects.filter(kind="member", ghost_id=ghost_id).first()
    user = User.objects.filter(pk=mapping.object_id).first() if mapping else None
    user = user or User.objects.filter(email=email).first()
    if user is not None:
        return user, "unchanged" if mapping else "matched to an account here"
    first, _, last = (row.get("name") or "").strip().partition(" ")
    user = User(
        email=email,
        first_name=first[:150],
        last_name=last[:150],
        labels=(row.get("labels") or "").strip()[:500],
        note=(row.get("note") or "").strip()[:2000],
        # Ghost's default, for a CSV without the column: subscribed.
        receives_letter=(row.get("subscribed_to_emails") or "true").strip().lower() in TRUE,
    )
    user.set_unusable_password()
    user.save()
    user.record_email_address()
    return user, "created"


def remember(row: dict, email: str, user: User) -> None:
    Imported.objects.update_or_create(
        kind="member",
        ghost_id=row.get("id") or f"email:{email}",
        defaults={"object_id": user.pk, "written": email},
    )


def member(row: dict, email: str, tier: Tier, counts: Counter) -> None:
    """The member's account and a membership of `tier`."""
    user, outcome = account(row, email)
    started = joined(row)
    _, made = Membership.objects.get_or_create(
        user=user, defaults={"tier": tier, **({"started_at": started} if started else {})}
    )
    counts["updated" if made and outcome == "unchanged" else outcome] += 1
    remember(row, email, user)


def subscriber(row: dict, email: str, counts: Counter) -> None:
    """A free member: on the free list, their letter on or off as Ghost had it (an account
    here keeps its own choice)."""
    user, outcome = account(row, email)
    if user.subscribed_at is None:
        user.subscribed_at = joined(row) or timezone.now()
        user.save(update_fields=["subscribed_at"])
        outcome = "updated" if outcome == "unchanged" else outcome
    counts[outcome] += 1
    remember(row, email, user)


def joined(row: dict):
    return parse_datetime(row.get("created_at") or "")
