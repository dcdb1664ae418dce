"""Links that let a member in: the invitation (set a password) and the login link emailed
to a member who applies again. Each is signed, lives for its own setting, and is dead
once used.

The token signs a digest of the account's password hash and last login, so it stops
working as soon as the member sets a password or logs in.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import User


class AccountLinkTokens:
    """The token interface of Django's PasswordResetTokenGenerator, with its own lifetime
    (the setting named `max_age_setting`, read when a token is checked)."""

    def __init__(self, salt: str, max_age_setting: str) -> None:
        self.salt = salt
        self.max_age_setting = max_age_setting

    def make_token(self, user: User) -> str:
        return signing.TimestampSigner(salt=self.salt).sign(self._state(user))

    def check_token(self, user: User | None, token: str) -> bool:
        if user is None or not token:
            return False
        try:
            state = signing.TimestampSigner(salt=self.salt).unsign(
                token, max_age=getattr(settings, self.max_age_setting)
            )
        except signing.BadSignature:
            return False
        return constant_time_compare(state, self._state(user))

    def _state(self, user: User) -> str:
        last_login = user.last_login.replace(microsecond=0, tzinfo=None) if user.last_login else ""
        value = f"{user.pk}{user.password}{last_login}{user.email}"
        return salted_hmac(self.salt, value).hexdigest()[:24]


invitation_tokens = AccountLinkTokens("members.invitation", "INVITATION_MAX_AGE")
login_link_tokens = AccountLinkTokens("members.login-link", "LOGIN_LINK_MAX_AGE")


def account_link(view: str, tokens: AccountLinkTokens, user: User) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse(view, kwargs={"uidb64": uidb64, "token": tokens.make_token(user)})
    return settings.SITE_URL + path


def invitation_url(user: User) -> str:
    return account_link("members:accept-invitation", invitation_tokens, user)


def login_link_url(user: User) -> str:
    return account_link("members:login-link", login_link_tokens, user)
