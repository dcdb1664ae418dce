"""The per-recipient unsubscribe link: signed, never expiring (a letter read a year late
must still let its reader leave), and good for that one thing only."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from members.models import User

UNSUBSCRIBE = signing.Signer(salt="letters.unsubscribe")


def unsubscribe_url(user: User) -> str:
    token = UNSUBSCRIBE.sign(str(user.pk))
    return settings.SITE_URL + reverse("letters:unsubscribe", args=[token])


def user_for(token: str) -> User | None:
    try:
        pk = UNSUBSCRIBE.unsign(token)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=pk).first()
