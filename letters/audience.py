"""Who a send goes to: current members who receive the letter, narrowed as staff chose.
Whether a member may read the post is members.access's to say, here as everywhere."""

from django.db.models import QuerySet

from articles.models import Article
from members import access
from members.models import Membership, Tier, User

from .models import Send


def audience(article: Article | None, chosen: str, tier: Tier | None = None) -> QuerySet[User]:
    users = User.objects.filter(
        is_active=True, receives_letter=True, membership__in=Membership.objects.current()
    )
    if chosen == Send.Audience.INCLUDED and article is not None:
        users = users.filter(access.members_reading(article))
    elif chosen == Send.Audience.TIER and tier is not None:
        users = users.filter(membership__tier__rank__gte=tier.rank)
    return users


def not_had(users: QuerySet[User], article: Article) -> QuerySet[User]:
    """Never twice: not to members who had this post, from any send of it."""
    return users.exclude(deliveries__send__article=article)


def not_yet_sent(users: QuerySet[User], send: Send) -> QuerySet[User]:
    """A post's send goes to who has not had the post; a weekly issue's, to who has not had it."""
    if send.article_id:
        return not_had(users, send.article)
    return users.exclude(deliveries__send=send)


def recipients(send: Send) -> QuerySet[User]:
    return not_yet_sent(audience(send.article, send.audience, send.tier), send)
