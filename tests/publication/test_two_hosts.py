"""Two hosts: two gunicorn masters of two workers each, on one database and one Redis, as
behind a load balancer. Every cache is on and has served every page; after an edit
commits, or a membership ends, neither host serves the old decision. With one bucket
(moto's S3), a picture staff upload through one host is served wherever the other's page
points, and lands on neither host's disk."""

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from articles.models import Article
from members.models import Membership
from tests.articles.test_admin import article_form
from tests.conftest import free_port, public_bucket, use_redis
from tests.factories import image_bytes, make_article, make_member, make_tier

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = "Words everyone may read."
PAID = "Zanzibarquux is the paid secret."
BODY = f"A free opening paragraph.\n\n<!--members-only-->\n\n{PUBLIC}"

pytestmark = pytest.mark.django_db(transaction=True)


def get(url: str, cookie: str | None = None) -> str:
    headers = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (our own server)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our own)
            return response.read().decode()
    except urllib.error.HTTPError as error:
        return f"{error.code} {error.read().decode()}"


def database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def hosts(settings, redis_url, tmp_path):
    """Two masters serving the test database, each as production runs it."""
    yield from started_hosts(settings, redis_url, tmp_path, {})


@pytest.fixture
def hosts_on_a_bucket(settings, redis_url, tmp_path, s3_endpoint):
    """The two hosts, their media in one bucket (moto's S3) and on neither's disk; and the
    bucket's address."""
    settings.MEDIA_ROOT = tmp_path / "host-media"  # the hosts' own: nothing may land there
    bucket = public_bucket(s3_endpoint)
    env = {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
    }
    for bases in started_hosts(settings, redis_url, tmp_path, env):
        yield bases, f"{s3_endpoint}/{bucket}/"


def started_hosts(settings, redis_url, tmp_path, extra_env: dict[str, str]):
    use_redis(settings, redis_url)
    settings.SESSION_ENGINE = "publication.sessions"
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions this test logs in are signed with it
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "HTTPS": "false",
        "STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **extra_env,
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    servers, bases = [], []
    for _ in range(2):
        port = free_port()
        servers.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "publication.wsgi", "--workers", "2",
                 "--bind", f"127.0.0.1:{port}", "--timeout", "30"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        )  # fmt: skip
        bases.append(f"http://127.0.0.1:{port}")
    for base in bases:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5)  # noqa: S310 (our own)
                break
            except OSError:
                time.sleep(0.1)
    yield bases
    for server in servers:
        server.terminate()
        server.wait(timeout=10)


def test_after_an_edit_commits_neither_host_serves_the_old_visibility(hosts):
    patron = make_tier(name="Patron", rank=3)
    post = make_article(title="Ledger essay", body=BODY)
    member = Client()
    member.force_login(make_member(patron))
    cookie = f"sessionid={member.cookies['sessionid'].value}"
    pages = [post.get_absolute_url(), "/", "/feed/", "/search/?q=everyone"]
    for base in hosts:
        for _ in range(4):  # each worker of each host serves, and caches, every page
            for page in pages:
                assert "Ledger essay" in get(base + page)
                assert "Ledger essay" in get(base + page, cookie)
    assert PUBLIC in get(hosts[0] + post.get_absolute_url())

    post.title = "Ledger essay, for patrons"
    post.visibility = Article.Visibility.TIER
    post.minimum_tier = patron
    post.body = f"{BODY}\n\n{PAID}"
    post.save()

    for base in hosts:
        for _ in range(4):
            for address in [post.get_absolute_url(), f"{post.get_absolute_url()}?utm=x"]:
                visitor = get(base + address)
                assert "Ledger essay, for patrons" in visitor
                assert PAID not in visitor and PUBLIC not in visitor
                assert PAID in get(base + address, cookie)
            assert "Ledger essay, for patrons" in get(base + "/")

    Membership.objects.update(status=Membership.Status.ENDED)  # the member's package ends
    for base in hosts:
        for _ in range(4):
            assert PAID not in get(base + post.get_absolute_url(), cookie)


def csrf_of(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]


def multipart(fields: dict, files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = f"----publication{time.monotonic_ns()}"
    parts = []
    for name, value in fields.items():
        for one in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{one}\r\n'.encode()
            )
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), boundary


def test_a_picture_uploaded_through_one_host_is_served_by_the_other(
    hosts_on_a_bucket, staff_user, settings
):
    (first, second), bucket_url = hosts_on_a_bucket
    staff = Client()
    staff.force_login(staff_user)
    session = f"sessionid={staff.cookies['sessionid'].value}"
    add = first + "/admin/articles/article/add/"
    request = urllib.request.Request(add, headers={"Cookie": session})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our own)
        token = csrf_of(response.read().decode())
        csrf_cookie = re.search(r"csrftoken=([^;]+)", response.headers["Set-Cookie"])[1]
    fields = {
        **article_form(slug="through-one-host", hero_alt="A harbour", status="published"),
        "pull_quotes-TOTAL_FORMS": "0",
        "csrfmiddlewaretoken": token,
    }
    body, boundary = multipart(fields, {"hero_image": ("harbour.jpg", image_bytes(1600, 900))})
    upload = urllib.request.Request(  # noqa: S310 (our own)
        add,
        data=body,
        headers={
            "Cookie": f"{session}; csrftoken={csrf_cookie}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    with urllib.request.urlopen(upload, timeout=30) as response:  # noqa: S310 (our own)
        assert response.url == first + "/admin/articles/article/"  # saved: back to the list
    assert Article.objects.get(slug="through-one-host").hero_renditions

    page = get(second + "/articles/through-one-host/")
    source = re.search(r'<img src="([^"]+)" srcset="([^"]+)"[^>]* alt="A harbour"', page)
    assert source and source[1].startswith(bucket_url)
    for url in [source[1], *(c.split()[0] for c in source[2].split(", "))]:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (moto, here)
            assert response.headers["Content-Type"] == "image/webp"
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.*"))  # on neither host's disk
