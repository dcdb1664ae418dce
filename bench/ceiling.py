"""The bare ceilings the benchmark measures the site against: Django with no app and no
middleware, on the same gunicorn (bench/standard_ceiling.py is the one pages are judged by).

/render renders a template about the size of a post page after one query (the
rendering ceiling); /fixed returns a fixed string of the post page's size (the
serving ceiling). Run: gunicorn bench.ceiling:application
"""

import os

import dj_database_url
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="ceiling-" + "x" * 50,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    DATABASES={"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)},
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}],
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.urls import path  # noqa: E402

from bench.page import PARAGRAPHS, SIZE, TEMPLATE  # noqa: E402

TEMPLATE = engines["django"].from_string(TEMPLATE)
FIXED = ("x" * SIZE).encode()


def render(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT title FROM articles_article ORDER BY id LIMIT 1")
        (title,) = cursor.fetchone() or ("",)
    return HttpResponse(TEMPLATE.render({"title": title, "paragraphs": PARAGRAPHS}))


def fixed(request):
    return HttpResponse(FIXED)


urlpatterns = [path("render", render), path("fixed", fixed)]

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
