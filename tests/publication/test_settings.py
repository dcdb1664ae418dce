"""Production refuses to start when it is not configured safely."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNSET = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"}
CLEAN = {k: v for k, v in os.environ.items() if k not in UNSET}


def load_settings(**env: str) -> subprocess.CompletedProcess:
    code = (
        "import publication.settings as s; "
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.ALLOWED_HOSTS, s.EMAIL_PORT, "
        "s.CACHES['default']['BACKEND'].rsplit('.', 1)[1])"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**CLEAN, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_local_defaults_run_on_the_embedded_sqlite():
    result = load_settings(DATABASE_URL="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["True", "django.db.backends.sqlite3"]
    assert result.stdout.split()[-1] == "LocMemCache"


def test_production_needs_a_secret_key():
    result = load_settings(DEBUG="false", ALLOWED_HOSTS="news.example.com")
    assert result.returncode == 1
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_production_needs_the_sites_address_for_links_in_emails():
    result = load_settings(DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="news.example.com")
    assert result.returncode == 1
    assert "ImproperlyConfigured: SITE_URL must be set when DEBUG is off" in result.stderr


def test_debug_on_a_public_host_is_refused():
    result = load_settings(DEBUG="true", ALLOWED_HOSTS="news.example.com")
    assert result.returncode == 1
    assert (
        "ImproperlyConfigured: DEBUG is on while ALLOWED_HOSTS names a public host: "
        "set DEBUG=false in production."
    ) in result.stderr


def test_production_values_are_read_from_the_environment():
    result = load_settings(
        DEBUG="off",
        SECRET_KEY="x" * 50,
        SITE_URL="https://news.example.com",
        ALLOWED_HOSTS="news.example.com, www.example.com",
        DATABASE_URL="postgres://user:pw@db.example.com:5432/news",
        EMAIL_PORT="587",
        REDIS_URL="redis://cache.example.com:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "False django.db.backends.postgresql ['news.example.com', 'www.example.com'] 587 RedisCache"
    )


@pytest.mark.parametrize(
    ("env", "kept"),
    [
        ({"REDIS_URL": "redis://cache.example.com:6379/0"}, "True"),
        ({"REDIS_URL": "redis://cache.example.com:6379/0", "LIST_CACHE": "false"}, "False"),
        # Kept by one worker, results would outlive a change another worker saw.
        ({"LIST_CACHE": "true"}, "False"),
    ],
)
def test_search_results_are_kept_only_in_a_shared_cache(env, kept):
    code = "import publication.settings as s; print(s.LIST_CACHE)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**CLEAN, **env}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == kept


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be true or false, not 'maybe'."),
        ({"EMAIL_PORT": "twenty-five"}, "EMAIL_PORT must be a whole number, not 'twenty-five'."),
        (
            {"EMAIL_RETRY_DELAYS": "60,5m"},
            "EMAIL_RETRY_DELAYS must be whole seconds separated by commas.",
        ),
    ],
)
def test_malformed_values_are_refused_with_the_setting_named(env, message):
    result = load_settings(**env)
    assert result.returncode == 1
    assert message in result.stderr
