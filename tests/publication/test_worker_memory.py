"""A web worker does not import what only making a post, a picture or a letter needs:
Markdown, the HTML sanitiser, Pillow and the CSS inliner are imported where they are
used. Pages serve what was made at save, and the four took 6.4 MB of each worker."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAKING_ONLY = ["PIL", "nh3", "markdown_it", "css_inline"]

# Everything a worker loads before its first request: the app and its middleware, every
# view (through the URLs) and every template tag library.
WORKER = f"""
import json, sys
from publication.wsgi import application
from django.template import engines
from django.urls import get_resolver
get_resolver().url_patterns
engines["django"].engine.template_libraries
print(json.dumps([name for name in {MAKING_ONLY!r} if name in sys.modules]))
"""


def test_a_web_worker_imports_nothing_only_making_needs():
    result = subprocess.run(
        [sys.executable, "-c", WORKER], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []


LIBRARIES = WORKER.replace(repr(MAKING_ONLY), repr(["boto3", "botocore", "cryptography"]))


@pytest.mark.parametrize(
    "env",
    [{}, {"EMAIL_BACKEND": "anymail.backends.amazon_ses.EmailBackend"},
     {"AWS_STORAGE_BUCKET_NAME": "pictures"}],
    ids=["disk and console", "amazon ses", "bucket"],
)  # fmt: skip
def test_a_web_worker_loads_neither_boto3_nor_cryptography_before_it_needs_them(env):
    """anymail.urls imports every service's webhook, and with them boto3 and cryptography
    (30 MB of each worker): only the service sent through is imported, at its first
    report; boto3 at a bucket's first address."""
    result = subprocess.run(
        [sys.executable, "-c", LIBRARIES],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []
