"""allauth, fitted to the publication: no sign-up, and every email through the outbox."""

import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import salted_hmac

from outbox.models import Email
from outbox.tasks import Rendered, kind, queue

from . import emails


@dataclass(frozen=True)
class Publication:
    """What allauth's emails call the current site: the publication, at SITE_URL."""

    name: str
    domain: str


def on_site(url: str) -> str:
    """The same page at SITE_URL, whatever host the request that made `url` named."""
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f"{settings.SITE_URL}{parts.path}{query}{fragment}"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Membership is by application: accounts are made when staff approve one."""
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Queue allauth's email; the worker renders it (render_allauth below).

        allauth builds links from the request's Host header, and Django's host
        check ignores the port: a forged `Host: site:6666` would put a reset link
        on port 6666. Every absolute link is moved onto SITE_URL here, the one
        place every allauth email passes through.
        """
        name = template_prefix.removeprefix("account/email/")
        context = {
            **context,
            **{
                key: on_site(value)
                for key, value in context.items()
                if isinstance(value, str) and value.startswith(("http://", "https://"))
            },
        }
        if name == "login_code":
            context["code_nonce"] = self.request.login_code_nonces[context["code"]]
        subject = render_to_string(
            f"{template_prefix}_subject.txt", {**context, **publication_context(), "email": email}
        )
        user = context.get("user")
        queue(
            f"account:{name}",
            email,
            self.format_email_subject(" ".join(subject.split())),
            user=user if isinstance(user, get_user_model()) else None,
            context=storable(name, context),
        )

    def send_notification_mail(self, template_prefix, user, context=None, email=None) -> None:
        """A notice of an account change names the account, so it greets its owner by name
        (allauth gives the account to its other emails, not to these)."""
        super().send_notification_mail(
            template_prefix, user, {**(context or {}), "user": user}, email
        )

    def get_http_user_agent(self, request: HttpRequest) -> str:
        """What a notice says the change came from: nothing, rather than "Unspecified"."""
        return request.META.get("HTTP_USER_AGENT", "")

    def generate_login_code(self) -> str:
        """A code the outbox can make again from a nonce, so it stores no code."""
        nonce = secrets.token_urlsafe(16)
        code = login_code(nonce)
        request = allauth_context.request
        request.login_code_nonces = {**getattr(request, "login_code_nonces", {}), code: nonce}
        return code


def publication_context() -> dict:
    """The publication as allauth's emails name it: as ours do, and as `current_site`."""
    return {
        **emails.publication_context(),
        "current_site": Publication(settings.PUBLICATION_NAME, urlsplit(settings.SITE_URL).netloc),
    }


# Where the worker finds allauth's emails: their templates, under these names.
ALLAUTH_EMAILS = [
    "account_already_exists",
    "email_changed",
    "email_confirm",
    "email_confirmation",
    "email_confirmation_signup",
    "email_deleted",
    "login_code",
    "password_changed",
    "password_reset",
    "password_reset_key",
    "password_set",
    "unknown_account",
]
LOGIN_CODE_CHARS = "BCDFGHJKLMNPQRSTVWXZ"  # allauth's alphabet for codes (RFC 8628)


def login_code(nonce: str) -> str:
    """A login code made from a random nonce and SECRET_KEY, in allauth's shape (XXXX-XXXX).

    The outbox stores the nonce, never the code: only the site can make one from the other.
    """
    number = int.from_bytes(salted_hmac("members.login_code", nonce).digest(), "big")
    letters = []
    for _ in range(8):
        number, index = divmod(number, len(LOGIN_CODE_CHARS))
        letters.append(LOGIN_CODE_CHARS[index])
    return "".join(letters[:4]) + "-" + "".join(letters[4:])


def password_reset_link(email: Email) -> dict:
    uid = user_pk_to_url_str(email.user)
    key = allauth_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(email.user)
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": uid, "key": key})
    return {"password_reset_url": settings.SITE_URL + path, "uid": uid, "key": key}


def confirmation_link(email: Email) -> dict:
    address = EmailAddress.objects.get(user=email.user, email__iexact=email.to)
    key = EmailConfirmationHMAC(address).key
    return {
        "key": key,
        "activate_url": settings.SITE_URL + reverse("account_confirm_email", args=[key]),
    }


def remembered_login_code(email: Email) -> dict:
    return {"code": login_code(email.context["code_nonce"])}


# allauth's emails that carry a way in, and how the worker makes it again from the
# account: the keys they make are never stored with the email.
REMADE = {
    "password_reset_key": (password_reset_link, {"password_reset_url", "uid", "key"}),
    "email_confirmation": (confirmation_link, {"key", "activate_url"}),
    "email_confirmation_signup": (confirmation_link, {"key", "activate_url"}),
    "login_code": (remembered_login_code, {"code"}),
}
NOT_STORED = {"request", "user", "current_site", "emailconfirmation"}


def storable(name: str, context: dict) -> dict:
    """The rest of allauth's context, as JSON: texts, numbers and times."""
    remade = REMADE.get(name, (None, set()))[1]
    stored = {}
    for key, value in context.items():
        if key in remade or key in NOT_STORED:
            continue
        if isinstance(value, datetime):
            stored[key] = {"datetime": value.isoformat()}
        elif value is None or isinstance(value, str | int | float | bool):
            stored[key] = value
        else:
            raise TypeError(f"allauth's {name} email has {key!r}, which the outbox cannot store")
    return stored


def restored(context: dict) -> dict:
    return {
        key: datetime.fromisoformat(value["datetime"]) if isinstance(value, dict) else value
        for key, value in context.items()
    }


def render_allauth(email: Email) -> Rendered:
    name = email.kind.removeprefix("account:")
    remake = REMADE.get(name, (None, set()))[0]
    context = {
        **publication_context(),
        "email": email.to,
        **restored(email.context),
        "user": email.user,
        **(remake(email) if remake else {}),
    }
    message = AccountAdapter().render_mail(f"account/email/{name}", email.to, context)
    html = next((body for body, kind in message.alternatives if kind == "text/html"), None)
    return Rendered(message.body.strip() + "\n", html)


for name in ALLAUTH_EMAILS:
    kind(f"account:{name}")(render_allauth)
