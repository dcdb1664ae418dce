from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.mail import EmailMessage
from django.http import HttpRequest
from django.urls import reverse


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
        """allauth's emails, with every link on SITE_URL and the publication's name.

        allauth builds links from the request's Host header, and Django's host
        check ignores the port: a forged `Host: site:6666` would put a reset link
        on port 6666. Every absolute link is moved onto SITE_URL here, the one
        place every allauth email passes through.
        """
        links = {
            key: on_site(value)
            for key, value in context.items()
            if isinstance(value, str) and value.startswith(("http://", "https://"))
        }
        super().send_mail(
            template_prefix,
            email,
            {
                **context,
                **links,
                "current_site": Publication(
                    settings.PUBLICATION_NAME, urlsplit(settings.SITE_URL).netloc
                ),
                "publication_name": settings.PUBLICATION_NAME,
                "site_url": settings.SITE_URL,
                "apply_url": settings.SITE_URL + reverse("members:apply"),
            },
        )

    def render_mail(self, template_prefix: str, email, context: dict, headers=None) -> EmailMessage:
        message = super().render_mail(template_prefix, email, context, headers)
        message.reply_to = [settings.EMAIL_REPLY_TO]
        return message
