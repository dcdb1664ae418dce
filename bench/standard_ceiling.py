"""The standard ceiling pages are judged by: Django with what a membership site cannot do
without, on the same gunicorn, rendering the page of bench/page.py after one query.

Installed: auth, contenttypes, sessions (cached_db, on the same Redis as the site) and
messages, with the Security, Session, Common, CSRF, Authentication and Message
middleware; the view reads request.user. A visitor is measured without a cookie, a
member with a logged-in session. Its tables are in a database of its own
(CEILING_DATABASE_URL), made by `python bench/standard_ceiling.py setup`, which prints
a logged-in session's key. Run: gunicorn bench.standard_ceiling:application
"""

import os
import sys

import dj_database_url
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="standard-ceiling-" + "x" * 50,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    DATABASES={
        "default": dj_database_url.parse(
            os.environ["CEILING_DATABASE_URL"], conn_max_age=60, conn_health_checks=True
        )
    },
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
    ],
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
    ],
    SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    },
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}],
    USE_TZ=True,
)

import django  # noqa: E402

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.urls import path  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.page import PARAGRAPHS, TEMPLATE  # noqa: E402

TEMPLATE = engines["django"].from_string(TEMPLATE)


def render(request):
    title = str(ContentType.objects.order_by("pk").first())
    if request.user.is_authenticated:
        title += f" for {request.user.get_username()}"
    return HttpResponse(TEMPLATE.render({"title": title, "paragraphs": PARAGRAPHS}))


urlpatterns = [path("render", render)]

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()


def setup() -> str:
    """Its tables, a member, and the key of a session that member is logged in with."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    member, _ = User.objects.get_or_create(username="member")
    session = SessionStore()
    session[SESSION_KEY] = str(member.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = member.get_session_auth_hash()
    session.create()
    return session.session_key


if __name__ == "__main__" and sys.argv[1:] == ["setup"]:
    print(setup())
