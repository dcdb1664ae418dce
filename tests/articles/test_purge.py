"""The optional purge of a cache in front: a post's change sends the addresses that show it
to PURGE_URL, once the change commits, from the worker."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django_tasks_db.models import DBTaskResult

from articles.models import Article
from tests.factories import make_article, make_contributor, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def purge_endpoint(settings):
    """A stand-in for the CDN's purge API: it records what it is sent."""
    received = []

    class Endpoint(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), json.loads(body)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.PURGE_URL = f"http://127.0.0.1:{server.server_port}/zones/z1/purge_cache"
    settings.PURGE_TOKEN = "cf-token-example"
    yield received
    server.shutdown()


def test_a_post_saved_sends_the_pages_that_show_it(
    purge_endpoint, django_capture_on_commit_callbacks, run_tasks, settings
):
    topic, writer = make_topic(name="Policy"), make_contributor(name="Ada Byline")
    post = make_article(slug="rules", topics=[topic], contributors=[writer])
    run_tasks()
    purge_endpoint.clear()

    with django_capture_on_commit_callbacks(execute=True):
        post.title = "Rules, revised"
        post.save()
    assert purge_endpoint == []  # sent by the worker, not the request
    run_tasks()

    (headers, body), *others = purge_endpoint
    assert others == []
    assert headers["Authorization"] == "Bearer cf-token-example"
    site = settings.SITE_URL
    assert body == {
        "files": [
            f"{site}/articles/rules/",
            f"{site}/",
            f"{site}/feed/",
            f"{site}/sitemap.xml",
            f"{site}/topics/",
            f"{site}{topic.get_absolute_url()}",
            f"{site}{writer.get_absolute_url()}",
        ]
    }


def test_posts_made_members_only_in_bulk_are_purged(
    purge_endpoint, django_capture_on_commit_callbacks, run_tasks, settings
):
    posts = [make_article(slug=f"bulk-{n}") for n in range(2)]
    run_tasks()
    purge_endpoint.clear()
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.filter(pk__in=[p.pk for p in posts]).update(visibility="members")
    run_tasks()
    sent = {url for _, body in purge_endpoint for url in body["files"]}
    assert {
        f"{settings.SITE_URL}/articles/bulk-0/",
        f"{settings.SITE_URL}/articles/bulk-1/",
    } <= sent


@pytest.mark.parametrize(("url", "purges"), [("", 0), ("http://127.0.0.1:9/purge", 1)])
def test_without_a_purge_url_nothing_is_sent(
    django_capture_on_commit_callbacks, settings, url, purges
):
    settings.PURGE_URL = url
    with django_capture_on_commit_callbacks(execute=True):
        make_article()
    assert DBTaskResult.objects.filter(task_path="articles.purge.purge").count() == purges


def test_a_purge_that_fails_is_logged_and_nothing_else(settings, run_tasks, caplog):
    from articles.purge import purge

    settings.PURGE_URL = "http://127.0.0.1:9/purge"  # nothing listens there
    settings.PURGE_TOKEN = "never-in-the-log"
    purge.enqueue(["https://news.example.com/"])
    run_tasks()
    assert "The cache in front was not purged of 1 addresses" in caplog.text
    assert "never-in-the-log" not in caplog.text
