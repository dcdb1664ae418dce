import re

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.generic import TemplateView

from articles.sitemaps import SITEMAPS
from letters.bounces import tracking_webhooks

from . import views

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
    path("anymail/", include((tracking_webhooks(), "anymail"))),
    path("healthz", views.healthz, name="healthz"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("", include("articles.urls")),
]

if settings.MEDIA_URL.startswith("/"):
    # Uploads kept on this machine are served by the site; on object storage they are not.
    urlpatterns.append(
        re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$", views.media)
    )
