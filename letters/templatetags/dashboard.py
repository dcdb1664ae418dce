"""The admin index as a dashboard: what waits for staff, who came and who is leaving, and
how the last letters went; each figure a link to the list it counts. Each part shows
only to staff who may view that list."""

from datetime import date, datetime, time, timedelta

from django import template
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from articles.models import Article
from letters.admin import with_progress
from letters.models import Send
from members.models import Application, Membership, Tier, with_places_taken

register = template.Library()
LAST_SENDS = 5


def listed(name: str, **filters) -> str:
    return reverse(f"admin:{name}_changelist") + (f"?{urlencode(filters)}" if filters else "")


@register.inclusion_tag("admin/dashboard.html", takes_context=True)
def dashboard(context) -> dict:
    user = context["request"].user
    parts = {}
    if user.has_perm("members.view_application"):
        parts["packages"] = waiting_by_package()
    if user.has_perm("members.view_membership"):
        parts["memberships"] = comings_and_goings()
    if user.has_perm("articles.view_article"):
        parts["posts"] = posts_at_hand()
    if user.has_perm("letters.view_send"):
        sends = with_progress(Send.objects.order_by("-created_at"))[:LAST_SENDS]
        parts["sends"] = [  # an empty list says so: no letter yet
            (send, reverse("admin:letters_send_change", args=[send.pk])) for send in sends
        ]
    return parts


def waiting_by_package() -> list[dict]:
    pending = Q(applications__status=Application.Status.PENDING)
    tiers = with_places_taken(
        list(Tier.objects.annotate(waiting=Count("applications", filter=pending)).order_by("rank"))
    )
    return [
        {
            "tier": tier,
            "waiting": tier.waiting,
            "places_left": None if tier.capacity is None else max(tier.capacity - tier.members, 0),
            "url": listed("members_application", status__exact="pending", tier__id__exact=tier.pk),
        }
        for tier in tiers
    ]


def comings_and_goings() -> dict:
    """Memberships begun in the last 7 days (today too), and active ones ending from today
    to 30 days on: counted by the same days the links filter on."""
    today = timezone.localdate()
    joined = {
        "started_at__gte": today - timedelta(days=6),
        "started_at__lt": today + timedelta(days=1),
    }
    ending = {
        "status__exact": Membership.Status.ACTIVE,
        "ends_at__gte": today,
        "ends_at__lt": today + timedelta(days=31),
    }
    joined, ending = as_moments(joined), as_moments(ending)
    return {
        "joined": Membership.objects.filter(**joined).count(),
        "joined_url": listed("members_membership", **joined),
        "ending": Membership.objects.filter(**ending).count(),
        "ending_url": listed("members_membership", **ending),
    }


def posts_at_hand() -> list[tuple[int, str, str]]:
    """Posts published in the last 7 days (today too), drafts and scheduled posts: each
    count, what it counts, and the list of them."""
    today = timezone.localdate()
    published = {
        "status__exact": Article.Status.PUBLISHED,
        "publish_at__gte": today - timedelta(days=6),
        "publish_at__lt": today + timedelta(days=1),
    }
    kinds = {
        "published": as_moments(published),
        "drafts": {"status__exact": Article.Status.DRAFT},
        "scheduled": {"status__exact": Article.Status.SCHEDULED},
    }
    counts = Article.objects.aggregate(
        **{kind: Count("pk", filter=Q(**filters)) for kind, filters in kinds.items()}
    )
    return [
        (counts[kind], kind, listed("articles_article", **filters))
        for kind, filters in kinds.items()
    ]


def as_moments(filters: dict) -> dict:
    """Days as the moments they begin, in the site's time zone: the admin's own date filter
    writes them so in its links (with their offset), and the count reads the same."""
    return {
        key: timezone.make_aware(datetime.combine(value, time.min))
        if isinstance(value, date)
        else value
        for key, value in filters.items()
    }
