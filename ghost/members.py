"""Ghost's members export (CSV) into accounts and memberships. No password (they log in
by a code sent to their address, as Ghost's members did with magic links) and no email
sent: staff send a welcome from the admin when they are ready."""

import csv
from collections import Counter
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.dateparse import parse_datetime

from members.addresses import canonical
from members.models import Membership, Tier, User

from .export import ExportError
from .models import Imported

COLUMNS = ["id", "email", "name", "subscribed_to_emails", "complimentary_plan", "deleted_at"]
TRUE = {"true", "1", "yes"}


def read(path: Path) -> list[dict]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            reader = csv.DictReader(file)
            rows = list(reader)
            header = reader.fieldnames or []
    except FileNotFoundError:
        raise ExportError(f"{path}: no such file.") from None
    except UnicodeDecodeError:
        raise ExportError(f"{path}: not a text file (Ghost's members export is CSV).") from None
    missing = [c for c in COLUMNS if c not in header]
    if "tiers" not in header and "products" not in header:
        missing.append("tiers (or products)")
    if missing:
        raise ExportError(f"{path}: not Ghost's members export: no column {', '.join(missing)}.")
    return rows


def import_members(path: Path, *, free_tier: Tier | None, report) -> None:
    """Each member an account with a membership; checked whole before anything is written."""
    rows = read(path)
    counts: Counter = report.counts["members"]
    seen: dict[str, int] = {}
    wanted = []
    for line, row in enumerate(rows, start=2):
        if row.get("deleted_at"):
            counts["skipped (deleted in Ghost)"] += 1
            continue
        try:
            email = canonical(row["email"])
        except ValidationError as error:
            raise ExportError(
                f"{path.name} line {line} ({row['email']}): {' '.join(error.messages)}"
            ) from None
        if email in seen:
            raise ExportError(
                f"{path.name} line {line} ({email}): the same address as line {seen[email]}."
            )
        seen[email] = line
        tier = tier_of(row, free_tier)
        if tier is None:
            counts["skipped (free members: --free-members-tier names their package)"] += 1
            continue
        wanted.append((row, email, tier))
    for row, email, tier in wanted:
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


def member(row: dict, email: str, tier: Tier, counts: Counter) -> None:
    """The member's account (made, or the one here with that address) and a membership."""
    mapping = Imported.objects.filter(kind="member", ghost_id=row["id"]).first()
    user = User.objects.filter(pk=mapping.object_id).first() if mapping else None
    user = user or User.objects.filter(email=email).first()
    if user is None:
        first, _, last = (row.get("name") or "").strip().partition(" ")
        user = User(email=email, first_name=first[:150], last_name=last[:150])
        user.set_unusable_password()
        user.receives_letter = (row.get("subscribed_to_emails") or "").lower() in TRUE
        user.save()
        user.record_email_address()
        outcome = "created"
    else:
        outcome = "unchanged" if mapping else "matched to an account here"
    started = parse_datetime(row.get("created_at") or "")
    _, made = Membership.objects.get_or_create(
        user=user, defaults={"tier": tier, **({"started_at": started} if started else {})}
    )
    counts["updated" if made and outcome == "unchanged" else outcome] += 1
    Imported.objects.update_or_create(
        kind="member", ghost_id=row["id"], defaults={"object_id": user.pk, "written": email}
    )
