"""--images: the pictures a Ghost server kept, through the checks an upload goes through."""

import io
import json
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from articles.models import Article, Contributor
from tests.factories import image_bytes, stored_files

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_storage")]
EXPORTS = Path(__file__).parent / "exports"


@pytest.fixture
def ghost(tmp_path):
    images = tmp_path / "content" / "images" / "2024" / "01"
    images.mkdir(parents=True)
    (images / "hero.jpg").write_bytes(image_bytes(1600, 900))
    (images / "chart.png").write_bytes(image_bytes(1200, 800, "PNG"))
    (images / "ada.png").write_bytes(b"not a picture at all")
    export = json.loads((EXPORTS / "ghost5.json").read_text())
    export["db"][0]["data"]["users"][0]["profile_image"] = (
        "__GHOST_URL__/content/images/2024/01/ada.png"
    )
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    return path, tmp_path / "content" / "images"


def run(path: Path, images: Path, *options) -> str:
    out = io.StringIO()
    call_command("import_ghost", str(path), "--images", str(images), *options, stdout=out)
    return out.getvalue()


def test_pictures_come_from_the_images_folder_as_uploads_do(ghost):
    report = run(*ghost)
    post = Article.objects.get(slug="markets-and-rules")
    assert post.hero_image and [r["width"] for r in post.hero_renditions] == [480, 960, 1600]
    assert default_storage.url("imported/2024/01/chart.png") in post.body_html
    assert 'alt="A chart"' in post.body_html
    assert not Contributor.objects.get(slug="ada").portrait
    assert (
        "missing picture: ada: __GHOST_URL__/content/images/2024/01/ada.png (This file is not "
        "a picture we can read. Upload a JPEG, PNG, WebP or GIF.)" in report
    )
    assert "chart.png" not in report and "hero.jpg" not in report  # both found and kept


def test_a_second_run_keeps_the_pictures_it_stored(ghost):
    run(*ghost)
    hero = Article.objects.get(slug="markets-and-rules").hero_image.name
    report = run(*ghost)
    assert Article.objects.get(slug="markets-and-rules").hero_image.name == hero
    assert "posts: 7 unchanged" in report


def test_a_dry_run_leaves_no_picture_behind(ghost):
    report = run(*ghost, "--dry-run")
    assert "posts: 7 created" in report
    assert stored_files() == []


def test_a_run_that_fails_leaves_no_picture_behind(ghost):
    path, images = ghost
    export = json.loads(path.read_text())
    export["db"][0]["data"]["posts"][5]["slug"] = "not a slug!"  # after the pictures
    path.write_text(json.dumps(export))
    with pytest.raises(CommandError, match="not a slug!"):
        run(path, images)
    assert not Article.objects.exists()
    assert stored_files() == []
