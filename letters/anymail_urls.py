"""django-anymail's delivery-report webhooks, at /anymail/<service>/tracking/
(letters/bounces.py). Not its inbound mail ones: the site receives no mail."""

from django.urls import path

from .bounces import tracking_webhook

app_name = "anymail"
urlpatterns = [path("<slug:service>/tracking/", tracking_webhook, name="tracking")]
