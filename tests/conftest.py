import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)


@pytest.fixture(scope="session")
def s3_endpoint():
    """A real S3 API on this machine: moto's standalone server (a dev dependency)."""
    binary = Path(sys.executable).with_name("moto_server")
    if not binary.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must run the media tests on a bucket: pip install 'moto[server]'")
        pytest.skip("No moto_server here (make install)")
    port = free_port()
    server = subprocess.Popen(
        [str(binary), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(port)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=10)


def public_bucket(endpoint: str) -> str:
    """A new bucket anyone may read the objects of, as the README has a real one set."""
    import boto3  # the tests on a bucket alone need it

    bucket = f"media-{uuid.uuid4().hex[:12]}"
    keys = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **keys)
    s3.create_bucket(Bucket=bucket)
    public = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(public))
    return bucket


@pytest.fixture(params=["disk", "bucket"])
def media_storage(request, settings):
    """Media on this host's disk (MEDIA_ROOT, per test), then on an S3 bucket of its own,
    configured as settings.py does from the environment."""
    if request.param == "disk":
        return "disk"
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = public_bucket(endpoint)
    settings.AWS_STORAGE_BUCKET_NAME = bucket
    settings.AWS_S3_ENDPOINT_URL = endpoint
    settings.AWS_S3_REGION_NAME = "us-east-1"
    settings.AWS_ACCESS_KEY_ID = settings.AWS_SECRET_ACCESS_KEY = "test"
    settings.AWS_S3_FILE_OVERWRITE = False
    settings.AWS_QUERYSTRING_AUTH = False
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "articles.storage.MediaStorage"},
    }
    return "bucket"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server for the shared-cache tests (.ci/run installs it)."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the Redis tests: apt-get install redis-server")
        pytest.skip("No redis-server here (apt-get install redis-server)")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    wait_for(port)
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
