"""The site's addresses: each app's own, and the admin's. Apps are named by string, so
this package imports none of them."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

# Staff log in through the site's own login, with its rate limits, not around it.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = f"{settings.PUBLICATION_NAME} administration"

handler500 = "publication.views.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("members.urls")),
    path("", include("letters.urls")),
    # Email services' delivery reports (bounces, complaints), checked by django-anymail.
    path("anymail/", include("letters.anymail_urls")),
    path("", include("outbox.urls")),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
    path("", include("articles.urls")),
]
