"""The page cache when Redis forgets, is slow, resets, answers garbage or is full.

Every failure makes the page afresh within a bounded time, and no visitor ever
gets a page from before a change.
"""

import contextlib
import socket
import threading
import time

import pytest
from django.test import Client

from articles.models import Article
from tests.conftest import use_redis
from tests.factories import make_article

pytestmark = pytest.mark.django_db

SECRET = "Paid words past the cut."


@pytest.fixture
def page_cache(settings, redis_cache):
    settings.PAGE_CACHE = True
    return redis_cache


def test_a_flushed_redis_never_brings_back_a_page_from_before_a_change(page_cache):
    """The generation was a counter: after FLUSHALL it climbed back to numbers that a
    worker's own copies were tagged with, and served them again."""
    article = make_article(body=f"Free words.\n\n<!--members-only-->\n\n{SECRET}")
    other = make_article(title="Another essay")
    worker = Client()
    pages = ["/feed/", article.get_absolute_url(), *(f"/feed/?v={n}" for n in range(12))]
    for url in pages:
        assert SECRET in worker.get(url).content.decode()  # public for now, kept by the worker

    article.visibility = Article.Visibility.MEMBERS
    article.save()
    page_cache._cache.get_client().flushall()
    for edit, url in enumerate(pages):
        other.title = f"Another essay, edit {edit}"
        other.save()
        worker.get("/")  # the worker learns the generation of the moment
        for reader in (worker, Client()):
            assert SECRET not in reader.get(url).content.decode(), (edit, url)


class StandIn:
    """A server on a local socket that is not quite Redis.

    late: forwards to the real Redis, but answers `delay` seconds late; garbage:
    answers anything with bytes that are not Redis's protocol; reset: closes each
    connection at once.
    """

    def __init__(self, mode: str, redis_url: str, delay: float = 2.0):
        self.mode, self.delay = mode, delay
        host_port = redis_url.split("//")[1].split("/")[0]
        self.upstream = (host_port.split(":")[0], int(host_port.split(":")[1]))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"redis://127.0.0.1:{self.listener.getsockname()[1]}/0"
        self.connections: list[socket.socket] = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(client)
            threading.Thread(target=self.serve, args=(client,), daemon=True).start()

    def serve(self, client: socket.socket) -> None:
        with contextlib.suppress(OSError):  # the test closed the sockets
            self.relay(client)

    def relay(self, client: socket.socket) -> None:
        if self.mode == "reset":
            client.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            client.close()
            return
        if self.mode == "garbage":
            while client.recv(65536):
                client.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
            return
        server = socket.create_connection(self.upstream)
        self.connections.append(server)

        def answers() -> None:
            with contextlib.suppress(OSError):
                while data := server.recv(65536):
                    time.sleep(self.delay)
                    client.sendall(data)

        threading.Thread(target=answers, daemon=True).start()
        while data := client.recv(65536):
            server.sendall(data)

    def close(self) -> None:
        self.listener.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def stand_in(settings, redis_url, request):
    def start(mode: str, **options) -> StandIn:
        server = StandIn(mode, redis_url, **options)
        request.addfinalizer(server.close)
        settings.PAGE_CACHE = True
        use_redis(settings, server.url)
        return server

    return start


def timed_visits(url: str, count: int) -> list[tuple[int, float, str]]:
    """Each visit's status, seconds and body, all served by one worker (a Client's handler)."""
    worker, visits = Client(), []
    for _ in range(count):
        start = time.monotonic()
        response = worker.get(url)
        visits.append((response.status_code, time.monotonic() - start, response.content.decode()))
    return visits


@pytest.mark.parametrize(
    ("mode", "options"),
    [
        ("late", {}),
        ("garbage", {}),
        ("reset", {}),
    ],
    ids=["answers late", "answers garbage", "resets"],
)
def test_a_bad_redis_makes_pages_afresh_in_bounded_time(stand_in, mode, options, caplog):
    stand_in(mode, **options)
    article = make_article(title="Made afresh")
    visits = timed_visits(article.get_absolute_url(), 5)
    assert [status for status, _, _ in visits] == [200] * 5
    assert all("Made afresh" in body for _, _, body in visits)
    # The first visit meets the failure, bounded by the socket timeout; the others
    # leave Redis alone while its breaker is open.
    assert visits[0][1] < 1.0
    assert max(seconds for _, seconds, _ in visits[1:]) < 0.3
    assert "Redis failed" in caplog.text


def test_a_full_redis_makes_pages_afresh_and_edits_still_save(page_cache, caplog):
    client = page_cache._cache.get_client()
    client.config_set("maxmemory-policy", "noeviction")
    client.config_set("maxmemory", "1")
    try:
        article = make_article(title="Saved into a full cache")
        page = Client().get(article.get_absolute_url())
        assert page.status_code == 200 and "Saved into a full cache" in page.content.decode()
    finally:
        client.config_set("maxmemory", "0")
    assert "OutOfMemoryError" in caplog.text


def test_pages_are_cached_again_once_the_breaker_closes(page_cache):
    article = make_article(title="Back in the cache")
    page_cache.breaker.trip(RuntimeError("stand-in"), 0.2)
    assert Client().get(article.get_absolute_url()).status_code == 200
    assert not page_keys(page_cache)  # the breaker was open: nothing stored
    time.sleep(0.25)
    assert Client().get(article.get_absolute_url()).status_code == 200
    assert page_keys(page_cache)


def page_keys(redis_cache) -> list:
    return redis_cache._cache.get_client().keys(redis_cache.make_key("page:*"))
