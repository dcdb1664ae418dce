"""Invitation links: signed, valid for INVITATION_MAX_AGE, and dead once used.

The token signs a digest of the account's password hash and last login, so it
stops working as soon as the new member sets a password and logs in.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import User

SALT = "members.invitation"


class InvitationTokenGenerator:
    """The token interface of Django's PasswordResetTokenGenerator, with its own lifetime."""

    def make_token(self, user: User) -> str:
        return signing.TimestampSigner(salt=SALT).sign(self._state(user))

    def check_token(self, user: User | None, token: str) -> bool:
        if user is None or not token:
            return False
        try:
            state = signing.TimestampSigner(salt=SALT).unsign(
                token, max_age=settings.INVITATION_MAX_AGE
            )
        except signing.BadSignature:
            return False
        return constant_time_compare(state, self._state(user))

    def _state(self, user: User) -> str:
        last_login = user.last_login.replace(microsecond=0, tzinfo=None) if user.last_login else ""
        value = f"{user.pk}{user.password}{last_login}{user.email}"
        return salted_hmac(SALT, value).hexdigest()[:24]


invitation_tokens = InvitationTokenGenerator()


def invitation_url(user: User) -> str:
    path = reverse(
        "members:accept-invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_tokens.make_token(user),
        },
    )
    return settings.SITE_URL + path
