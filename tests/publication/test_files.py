"""Static files hashed and cached for long; uploads served from MEDIA_ROOT only, as pictures."""

import re

import pytest

from tests.factories import image_upload, make_article, make_member

pytestmark = pytest.mark.django_db


def test_pictures_are_served_with_their_type_and_nosniff(client):
    article = make_article(hero_image=image_upload(), hero_alt="x")
    response = client.get(article.hero_picture.src)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content)[:4] == b"RIFF"


@pytest.mark.parametrize(
    "path", ["/media/notes.html", "/media/../publication/settings.py", "/media/%2e%2e/manage.py",
             "/media/renditions/", "/media/x.svg"],
)  # fmt: skip
def test_nothing_but_pictures_inside_media_root_is_served(client, media_root, path):
    media_root.mkdir(parents=True, exist_ok=True)
    (media_root / "notes.html").write_text("<script>alert(1)</script>")
    (media_root / "x.svg").write_text("<svg><script>alert(1)</script></svg>")
    assert client.get(path).status_code == 404


def test_static_files_get_hashed_names_and_a_long_cache_life(collected_static):
    client = collected_static

    page = client.get("/").content.decode()
    stylesheet = page.split('<link rel="stylesheet" href="')[1].split('"')[0]
    assert stylesheet.startswith("/static/css/site.") and stylesheet != "/static/css/site.css"
    response = client.get(stylesheet)
    assert response.status_code == 200
    assert "max-age=315360000" in response["Cache-Control"]
    assert "immutable" in response["Cache-Control"]


def test_pictures_named_by_their_content_are_cached_a_year_uploads_a_day(client):
    article = make_article(hero_image=image_upload(), hero_alt="x")
    rendition = client.get(article.hero_picture.src)
    assert re.fullmatch(
        r"/media/renditions/picture-\d+w-[0-9a-f]{12}\.webp", article.hero_picture.src
    )
    assert rendition["Cache-Control"] == "public, max-age=31536000, immutable"
    card = client.get(make_article().share_picture.url)
    assert card["Cache-Control"] == "public, max-age=31536000, immutable"
    upload = client.get(article.hero_image.url)
    assert upload.status_code == 200
    assert upload["Cache-Control"] == "public, max-age=86400"


def test_a_members_pictures_keep_their_public_cache_life(client):
    """Member pages are private and not stored; the pictures on them are the same for all."""
    article = make_article(hero_image=image_upload(), hero_alt="x")
    client.force_login(make_member())
    picture = client.get(article.hero_picture.src)
    assert picture["Cache-Control"] == "public, max-age=31536000, immutable"
    assert set(client.get("/")["Cache-Control"].split(", ")) == {"private", "no-store"}
