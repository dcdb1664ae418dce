import os
import shutil
import socket
import subprocess
import time

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client

from publication.cache import breakers
from tests.worker import run_due_tasks


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory):
    """On SQLite the test database is a file, so the worker's own process can open it."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["TEST"]["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test writes its uploads to a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing strength is Django's concern; tests need only a working hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_caches():
    """Rate-limit counters, cached fragments and answers, and a Redis failure do not carry
    over from one test to the next."""
    breakers.clear()
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def run_tasks():
    return run_due_tasks


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        "editor@example.com", "a-long-password-for-staff", is_staff=True, is_superuser=True
    )


@pytest.fixture
def staff_client(staff_user) -> Client:
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture
def reader_client(django_user_model) -> Client:
    """A logged-in reader who is neither staff nor a member."""
    client = Client()
    client.force_login(django_user_model.objects.create_user("reader@example.com", "a-long-pw"))
    return client


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests run last: Playwright keeps an event loop in the main thread from then on,
    and Django refuses plain ORM calls beside a running loop."""
    items.sort(key=lambda item: item.nodeid.startswith("tests/e2e/"))


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server for the shared-cache tests (.ci/run installs it)."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the Redis tests: apt-get install redis-server")
        pytest.skip("No redis-server here (apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(timeout=10)


def use_redis(settings, location: str) -> None:
    """The caches on the Redis at `location`, as production configures them (settings.py)."""
    redis = {
        "BACKEND": "publication.cache.RedisCache",
        "LOCATION": location,
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2, "retry_seconds": 5},
    }
    settings.CACHES = {
        **settings.CACHES,
        "default": {**redis, "OPTIONS": {**redis["OPTIONS"], "fail_open": True}},
        "sessions": redis,
    }
    settings.SESSION_CACHE_ALIAS = "sessions"


@pytest.fixture
def redis_cache(settings, redis_url):
    """The caches on Redis, as production runs them, emptied for this test."""
    use_redis(settings, redis_url)
    caches["default"].clear()
    return caches["default"]


@pytest.fixture
def collected_static(settings, tmp_path) -> Client:
    """Static files collected as a deployment does (hashed, compressed), and a client for them."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "publication.storage.StaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    return Client()  # a new handler, so WhiteNoise sees the collected files
