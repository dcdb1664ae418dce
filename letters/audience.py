"""Who a send goes to: readers who receive the letter, current members (narrowed as staff
chose) or free subscribers too. Whether a reader may read the post is members.access's
to say, here as everywhere: a send's audience decides who gets an email, never what it
shows."""

from django.db.models import Q, QuerySet

from articles.models import Article
from members import access
from members.models import Tier, User, is_current_member

from .models import Send


def audience(article: Article | None, chosen: str, tier: Tier | None = None) -> QuerySet[User]:
    readers = User.objects.filter(is_active=True, receives_letter=True)
    members = is_current_member()
    if chosen == Send.Audience.FREE:
        return readers.filter(members | Q(subscribed_at__isnull=False))
    users = readers.filter(members)
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
