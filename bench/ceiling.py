"""The ceilings the benchmark measures the site against: bare Django on the same gunicorn.

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

SIZE = int(os.environ.get("CEILING_BYTES", "12000"))
PARAGRAPH = "The quick analysis of open models and the markets they change, paragraph {n}. "
TEMPLATE = engines["django"].from_string(
    "<!doctype html><html><head><title>{{ title }}</title></head><body><main>"
    "<h1>{{ title }}</h1>{% for p in paragraphs %}<p>{{ p }}</p>{% endfor %}</main></body></html>"
)
PARAGRAPHS = [PARAGRAPH.format(n=n) * 2 for n in range(max(1, SIZE // (2 * len(PARAGRAPH) + 7)))]
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
