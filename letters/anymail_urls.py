"""django-anymail's delivery-report webhooks, at /anymail/ (letters/bounces.py)."""

from .bounces import tracking_webhooks

app_name = "anymail"
urlpatterns = tracking_webhooks()
