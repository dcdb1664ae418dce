from django import template
from django.urls import reverse

from ..admin import LATE
from ..models import Email

register = template.Library()


@register.inclusion_tag("admin/outbox/alerts.html")
def email_alerts() -> dict:
    """What staff must know about email, for the admin index: failures and long waits."""
    return {
        "failed": Email.objects.failed().count(),
        "late": Email.objects.waiting_longer_than(LATE).count(),
        "late_minutes": LATE.seconds // 60,
        "emails_url": reverse("admin:outbox_email_changelist"),
    }
