"""Security headers on every response, and a deployment Django's checks find nothing in."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "p7#Kq2!vZ9xL0mR4sT8wY1bN6cF3hJ5gD-QeUaVoWiXzPlMkNjHbGt",
    "ALLOWED_HOSTS": "news.example.com",
    "SITE_URL": "https://news.example.com",
    "SECURE_HSTS_PRELOAD": "true",
    "DATABASE_URL": "",
}


@pytest.mark.parametrize(
    "url", ["/", "/membership/apply/", "/accounts/login/", "/healthz", "/nope/"]
)
def test_every_response_carries_the_security_headers(client, url):
    make_article()
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["Permissions-Policy"].startswith("camera=()")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_https_deployments_get_hsts_and_secure_cookies(client, settings, django_user_model):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    django_user_model.objects.create_user("ada@example.com", "a-long-password")

    response = client.post(
        "/accounts/login/",
        {"login": "ada@example.com", "password": "a-long-password"},
        secure=True,
    )

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_production_settings_pass_djangos_deployment_checks():
    env = {**os.environ, **PRODUCTION}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
