"""Media on object storage: chosen by django-storages' own setting names in the
environment, and served from the bucket (moto's S3 server here) with the lifetimes the site
gives media on its disk."""

import subprocess
import sys
import urllib.request

import pytest
from django.core.files.storage import default_storage

from tests.factories import image_upload, make_article
from tests.publication.test_settings import CLEAN, ROOT

pytestmark = pytest.mark.django_db

ENV = {
    "AWS_STORAGE_BUCKET_NAME": "pictures",
    "AWS_S3_ENDPOINT_URL": "https://s3.example.net",
    "AWS_S3_REGION_NAME": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "secret-example",
    "AWS_S3_CUSTOM_DOMAIN": "media.example.net",
}


def storage_under(env: dict) -> list[str]:
    """The media storage and a picture's address, and the pages' policy, as settings.py
    makes them from this environment."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'publication.settings'; "
        "django.setup(); from django.core.files.storage import storages; "
        "s = storages['default']; print(type(s).__name__, s.url('renditions/a-0123.webp')); "
        "from django.conf import settings; print(settings.CONTENT_SECURITY_POLICY)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**CLEAN, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()


def test_a_bucket_named_in_the_environment_holds_the_media_behind_its_cdn():
    storage, policy = storage_under(ENV)
    assert storage == "MediaStorage https://media.example.net/renditions/a-0123.webp"
    assert "img-src 'self' data: https://media.example.net;" in policy  # pages may show them


def test_an_s3_api_elsewhere_is_let_into_the_pages_policy():
    _, policy = storage_under({**ENV, "AWS_S3_CUSTOM_DOMAIN": ""})
    assert "img-src 'self' data: https://s3.example.net;" in policy


def test_without_a_bucket_media_stay_on_this_hosts_disk():
    storage, policy = storage_under({"AWS_STORAGE_BUCKET_NAME": ""})
    assert storage == "FileSystemStorage /media/renditions/a-0123.webp"
    assert "img-src 'self' data:;" in policy


@pytest.mark.parametrize("media_storage", ["bucket"], indirect=True)
def test_pictures_on_a_bucket_are_served_from_it_with_their_cache_lives(media_storage):
    article = make_article(hero_image=image_upload(width=1200, height=600), hero_alt="A view")
    widest, original = article.hero_renditions[-1]["name"], article.hero_image.name

    for name, lifetime in [
        (widest, "public, max-age=31536000, immutable"),
        (original, "public, max-age=86400"),
    ]:
        url = default_storage.url(name)
        assert url.startswith(f"{default_storage.endpoint_url}/{default_storage.bucket_name}/")
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (moto, here)
            assert response.headers["Cache-Control"] == lifetime
            assert response.read()[:4] in {b"RIFF", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xdb"}
    assert article.hero_picture.src == default_storage.url(article.hero_renditions[1]["name"])
