"""Who may read which post in full: the one place the rule is written.

Every surface asks this module: the post page (through the gate middleware),
search, the feed, structured data and the members' letter. `decide` judges one post for one reader;
`readable` is the same rule as a query, for searching many posts at once.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpRequest

from articles.models import Article, Byline

from .models import Membership, Tier


class Reason(StrEnum):
    PUBLIC = "public"
    STAFF = "staff"
    CONTRIBUTOR = "contributor"
    MEMBER = "member"
    VISITOR = "visitor"  # not logged in
    NO_MEMBERSHIP = "no membership"
    LAPSED = "lapsed"
    TIER_TOO_LOW = "tier too low"


@dataclass(frozen=True)
class Reader:
    """What the rule needs to know about whoever is asking."""

    user_id: int | None = None
    is_staff: bool = False
    tier: Tier | None = None  # the tier of an active membership
    lapsed: bool = False  # had a membership that has ended
    contributor_id: int | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None


VISITOR = Reader()


@dataclass(frozen=True)
class Access:
    allowed: bool
    reason: Reason
    required_tier: Tier | None = None  # the lowest package that includes the post
    current_tier: Tier | None = None  # the reader's own, when it is too low


def reader_for(request: HttpRequest) -> Reader:
    """The reader behind a request, worked out once and kept on the request."""
    if not hasattr(request, "_reader"):
        request._reader = reader_of(request.user)
    return request._reader


def decide(reader: Reader, article: Article) -> Access:
    required = article.minimum_tier if article.visibility == Article.Visibility.TIER else None
    if article.visibility == Article.Visibility.PUBLIC:
        return Access(True, Reason.PUBLIC)
    if reader.is_staff:
        return Access(True, Reason.STAFF, required)
    if reader.contributor_id and any(
        byline.contributor_id == reader.contributor_id for byline in article.bylines.all()
    ):
        return Access(True, Reason.CONTRIBUTOR, required)
    if reader.tier is not None:
        if required is None or reader.tier.includes(required):
            return Access(True, Reason.MEMBER, required)
        return Access(False, Reason.TIER_TOO_LOW, required, reader.tier)
    if reader.lapsed:
        return Access(False, Reason.LAPSED, required)
    if reader.is_authenticated:
        return Access(False, Reason.NO_MEMBERSHIP, required)
    return Access(False, Reason.VISITOR, required)


def readable(reader: Reader) -> Q:
    """`decide(...).allowed` as a filter on Article: the posts this reader may read in full."""
    if reader.is_staff:
        return Q()
    rule = Q(visibility=Article.Visibility.PUBLIC)
    if reader.contributor_id:
        rule |= Q(
            pk__in=Byline.objects.filter(contributor_id=reader.contributor_id).values("article")
        )
    if reader.tier is not None:
        rule |= Q(visibility=Article.Visibility.MEMBERS) | Q(
            visibility=Article.Visibility.TIER, minimum_tier__rank__lte=reader.tier.rank
        )
    return rule


def readable_key(reader: Reader) -> str:
    """All that `readable` asks of a reader: readers with the same key read the same posts
    in full, so what is kept for one (search results) may be shown to the other."""
    if reader.is_staff:
        return "staff"
    return (
        f"contributor={reader.contributor_id or ''};rank={reader.tier.rank if reader.tier else ''}"
    )


def members_reading(article: Article) -> Q:
    """`decide(...).allowed` for members, as a filter on User: those whose current
    membership includes the post (for emailing it to exactly them)."""
    current = Membership.objects.current()
    if article.visibility == Article.Visibility.TIER:
        current = current.filter(tier__rank__gte=article.minimum_tier.rank)
    return Q(membership__in=current)


# Kinds of reader staff see a post or a letter as before it goes out.
INCLUDED, NOT_INCLUDED, SUBSCRIBER = "included", "not included", "subscriber"


def sample_reader(article: Article, kind: str) -> Reader:
    """A reader of this kind for this post, as the rule sees one (no real account): a
    member of the post's own package (or the highest) for INCLUDED; for NOT_INCLUDED, of
    the package below it, or one without a package where every package includes it."""
    required = article.minimum_tier if article.visibility == Article.Visibility.TIER else None
    tiers = Tier.objects.order_by("rank")
    if kind == INCLUDED:
        return Reader(user_id=0, tier=required or tiers.last())
    if kind == NOT_INCLUDED and required and (below := tiers.filter(rank__lt=required.rank).last()):
        return Reader(user_id=0, tier=below)
    return Reader(user_id=0)  # an account without a package: a free subscriber, say


def reader_of(user) -> Reader:
    if not user.is_authenticated:
        return VISITOR
    users = get_user_model()
    # A request's user comes with both already (members.backends); others are looked up.
    if not (users.membership.is_cached(user) and users.contributor.is_cached(user)):
        user = users.objects.readers().get(pk=user.pk)
    membership: Membership | None = getattr(user, "membership", None)
    contributor = getattr(user, "contributor", None)
    active = membership is not None and membership.is_active
    return Reader(
        user_id=user.pk,
        is_staff=user.is_staff and user.is_active,
        tier=membership.tier if active else None,
        lapsed=membership is not None and membership.has_ended,
        contributor_id=contributor.pk if contributor else None,
    )
