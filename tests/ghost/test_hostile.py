"""A Ghost export is a file from elsewhere: one written to harm the site (an address that
redirects away, a path out of the images folder, nesting that eats the machine's memory,
fields of the wrong kind) stops the import in one line naming the item, or, for a
picture, is left out and reported; nothing is written."""

import io
import json
from pathlib import Path

import pytest
from django.contrib.flatpages.models import FlatPage
from django.contrib.redirects.models import Redirect
from django.core.management import CommandError, call_command
from django.test import Client
from PIL import Image

from articles.models import Article
from tests.factories import image_bytes

pytestmark = pytest.mark.django_db
EXPORTS = Path(__file__).parent / "exports"
SLUG_RULE = "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."


def export_with(tmp_path: Path, change) -> Path:
    """ghost5.json, changed by `change(data)`, written to a file of its own."""
    export = json.loads((EXPORTS / "ghost5.json").read_text())
    change(export["db"][0]["data"])
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    return path


def post(data: dict, ghost_id: str) -> dict:
    return next(p for p in data["posts"] if p["id"] == ghost_id)


def refusal(path: Path, *options) -> str:
    with pytest.raises(CommandError) as refused:
        call_command("import_ghost", str(path), *options, stdout=io.StringIO())
    assert not Article.objects.exists() and not FlatPage.objects.exists()
    return str(refused.value)


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("//evil.example", SLUG_RULE),
        ("/admin", SLUG_RULE),
        ("../../etc/passwd", SLUG_RULE),
        ("admin", "/admin/ is an address of this site's own"),
        ("feed", "/feed/ is an address of this site's own"),
        ("membership", "/membership/ is an address of this site's own"),
    ],
)
def test_a_page_address_that_is_no_slug_or_is_the_sites_own_is_refused(tmp_path, slug, message):
    path = export_with(tmp_path, lambda data: post(data, "p7").update(slug=slug))
    assert refusal(path) == f"page p7 ({slug}): {message}"
    assert Client().get("///evil.example").status_code == 404  # no redirect away


def test_an_old_address_the_site_answers_itself_is_not_redirected(tmp_path):
    path = export_with(tmp_path, lambda data: post(data, "p2").update(slug="membership"))
    out = io.StringIO()
    call_command("import_ghost", str(path), stdout=out)
    assert "skipped: old address /membership/: this site answers it itself" in out.getvalue()
    assert not Redirect.objects.filter(old_path="/membership/").exists()
    assert Client().get("/membership/").status_code == 200


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: post(d, "p2").update(slug={"$gt": ""}), "post p2: slug must be text, not an object"),
        (lambda d: post(d, "p2").update(title=["A", "list"]), "post p2 (a-free-essay): title must be text, not a list"),
        (lambda d: post(d, "p2").update(html=None), "post p2 (a-free-essay): html is null (only a draft may be empty)"),
        (lambda d: post(d, "p2").update(html=["<p>x</p>"]), "post p2 (a-free-essay): html must be text or null, not a list"),
        (lambda d: post(d, "p2").update(published_at="yesterday"), "post p2 (a-free-essay): published_at 'yesterday' is not a date"),
        (lambda d: post(d, "p2").update(published_at="2024-02-30T10:00:00.000Z"), "post p2 (a-free-essay): published_at '2024-02-30T10:00:00.000Z' is not a date"),
        (lambda d: post(d, "p2").update(featured="yes"), "post p2 (a-free-essay): featured must be true or false or a number or null, not text"),
        (lambda d: d["posts"].insert(1, "a post"), "post 2: text, not an object"),
        (lambda d: d["tags"][0].update(name=5), "tag t1 (policy): name must be text, not a number"),
        (lambda d: d["users"][0].pop("slug"), "author u1: slug must be text, not null"),
        (lambda d: d["products"][1].update(monthly_price="500"), "tier gold (gold): monthly_price must be a number or null, not text"),
    ],
)  # fmt: skip
def test_a_field_of_the_wrong_kind_stops_the_import_naming_the_item(tmp_path, change, message):
    assert refusal(export_with(tmp_path, change)) == message


def test_a_draft_without_html_imports_empty(tmp_path):
    path = export_with(tmp_path, lambda data: post(data, "p5").update(html=None))
    call_command("import_ghost", str(path), stdout=io.StringIO())
    assert Article.objects.get(slug="a-draft").body == "\n"


def test_json_nested_deeper_than_an_export_is_refused_before_it_is_built(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"db": [{"meta": {"version": "5.0.0"}, "data": {"tags": ' + "[" * 200_000)
    assert refusal(path) == (
        f"{path}: nested more than 32 deep (in db.item.data.tags), which no Ghost export is."
    )


def test_html_nested_deeper_than_a_post_is_refused_naming_it(tmp_path):
    deep = "<div>" * 50_000 + "text" + "</div>" * 50_000
    path = export_with(tmp_path, lambda data: post(data, "p2").update(html=deep))
    assert refusal(path) == (
        "post p2 (a-free-essay): its HTML is nested more than 100 elements deep (101 or more)"
    )


@pytest.fixture
def images(tmp_path) -> Path:
    folder = tmp_path / "content" / "images"
    (folder / "2024" / "01").mkdir(parents=True)
    return folder


def body_picture(tmp_path: Path, address: str) -> Path:
    """ghost5.json with the free essay showing one picture, at `address`."""
    html = f'<p>Before.</p><figure><img src="{address}" alt="A chart"></figure><p>After.</p>'
    return export_with(tmp_path, lambda data: post(data, "p2").update(html=html))


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("__GHOST_URL__/content/images//etc/hostname", "outside the images folder"),
        ("__GHOST_URL__/content/images/../secret.png", "outside the images folder"),
        ("__GHOST_URL__/content/images/2024/01/linked.png", "a symbolic link, not a file in the images folder"),
        ("__GHOST_URL__/content/images/2024/linked-folder/chart.png", "a symbolic link, not a file in the images folder"),
    ],
)  # fmt: skip
def test_a_picture_outside_the_images_folder_or_through_a_link_is_left_out(
    tmp_path, images, address, why
):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "chart.png").write_bytes(image_bytes(40, 30, "PNG"))
    (tmp_path / "content" / "secret.png").write_bytes(image_bytes(40, 30, "PNG"))
    (images / "2024" / "01" / "linked.png").symlink_to(outside / "chart.png")
    (images / "2024" / "linked-folder").symlink_to(outside)
    out = io.StringIO()
    call_command(
        "import_ghost", str(body_picture(tmp_path, address)), "--images", str(images), stdout=out
    )
    assert f"missing picture: a-free-essay: {address} ({why})" in out.getvalue()
    body = Article.objects.get(slug="a-free-essay").body_html
    assert "<img" not in body and "Before." in body and "After." in body


def test_a_picture_in_a_body_is_stored_re_encoded_without_its_metadata(tmp_path, images, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    exif = Image.Exif()
    exif[0x010F] = "Spy Camera Co"  # Make
    exif[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPS latitude
    (images / "2024" / "01" / "chart.jpg").write_bytes(
        image_bytes(400, 300, "JPEG", exif=exif.tobytes(), comment=b"secret note")
    )
    address = "__GHOST_URL__/content/images/2024/01/chart.jpg"
    call_command(
        "import_ghost", str(body_picture(tmp_path, address)), "--images", str(images),
        stdout=io.StringIO(),
    )  # fmt: skip

    stored = tmp_path / "media" / "imported" / "2024" / "01" / "chart.jpg"
    assert "/media/imported/2024/01/chart.jpg" in Article.objects.get(slug="a-free-essay").body_html
    with Image.open(stored) as picture:
        assert picture.size == (400, 300)
        assert not picture.getexif()
        assert "comment" not in picture.info
    assert b"Spy Camera" not in stored.read_bytes()
