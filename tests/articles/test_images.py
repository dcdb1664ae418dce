import io
import re
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.images import validate_image_upload
from tests.factories import image_bytes, image_upload, make_article, make_contributor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_storage")]

GPS_TAG = 0x8825


def jpeg_with_location() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif.get_ifd(GPS_TAG).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    return image_bytes(2000, 1200, "JPEG", exif=exif.tobytes())


def test_upload_is_stripped_of_location_and_camera_data():
    upload = SimpleUploadedFile("trip.jpg", jpeg_with_location(), content_type="image/jpeg")
    with Image.open(io.BytesIO(upload.read())) as original:
        assert original.getexif().get_ifd(GPS_TAG)  # the test file really carries a location
    upload.seek(0)

    article = make_article(hero_image=upload, hero_alt="A street")

    with default_storage.open(article.hero_image.name) as stored, Image.open(stored) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
    for rendition in article.hero_renditions:
        with default_storage.open(rendition["name"]) as stored, Image.open(stored) as image:
            assert "exif" not in image.info


def test_renditions_are_webp_in_widths_no_wider_than_the_original():
    article = make_article(hero_image=image_upload(width=1200, height=600), hero_alt="x")
    assert [(r["width"], r["height"]) for r in article.hero_renditions] == [
        (480, 240),
        (960, 480),
        (1200, 600),
    ]
    for rendition in article.hero_renditions:
        with default_storage.open(rendition["name"]) as stored, Image.open(stored) as image:
            assert image.format == "WEBP"
            assert image.size == (rendition["width"], rendition["height"])


def test_picture_gives_srcset_and_size():
    article = make_article(hero_image=image_upload(width=2000, height=1000), hero_alt="x")
    picture = article.hero_picture
    assert (picture.width, picture.height) == (1600, 800)
    assert picture.srcset.count("w, ") == 2
    assert re.search(r"-1600w-[0-9a-f]{12}\.webp 1600w$", picture.srcset)
    assert re.search(r"-960w-[0-9a-f]{12}\.webp$", picture.src)


def test_portrait_renditions_and_removal():
    contributor = make_contributor(portrait=image_upload("me.png", image_format="PNG"))
    assert [r["width"] for r in contributor.portrait_renditions] == [96, 192, 384]
    contributor.portrait = None
    contributor.save()
    assert contributor.portrait_renditions == []
    assert contributor.portrait_picture is None


def test_transparent_png_keeps_its_transparency():
    buffer = io.BytesIO()
    Image.new("RGBA", (300, 300), (255, 0, 0, 0)).save(buffer, format="PNG")
    contributor = make_contributor(portrait=SimpleUploadedFile("clear.png", buffer.getvalue()))
    with default_storage.open(contributor.portrait_renditions[0]["name"]) as stored:
        with Image.open(stored) as image:
            assert image.mode == "RGBA"


def test_a_file_that_is_not_an_image_is_refused():
    fake = SimpleUploadedFile("photo.jpg", b"this is not a picture", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        validate_image_upload(fake)
    assert error.value.messages == [
        "This file is not a picture we can read. Upload a JPEG, PNG, WebP or GIF."
    ]


def test_a_file_over_the_byte_limit_is_refused(settings):
    settings.IMAGE_MAX_BYTES = 50_000
    big = SimpleUploadedFile("big.png", image_bytes(1500, 1500, "PNG", compress_level=0))
    with pytest.raises(ValidationError) as error:
        validate_image_upload(big)
    assert error.value.messages == ["This file is 6.4\xa0MB; pictures may be at most 48.8\xa0KB."]


def test_a_picture_with_too_many_pixels_is_refused(settings):
    settings.IMAGE_MAX_PIXELS = 1_000_000
    wide = SimpleUploadedFile("wide.png", image_bytes(2000, 1000, "PNG"))
    with pytest.raises(ValidationError) as error:
        validate_image_upload(wide)
    assert error.value.messages == [
        "This picture is 2000×1000 pixels; at most 1 million pixels are accepted."
    ]


def test_a_format_we_do_not_serve_is_refused():
    tiff = SimpleUploadedFile("scan.tiff", image_bytes(100, 100, "TIFF"))
    with pytest.raises(ValidationError) as error:
        validate_image_upload(tiff)
    assert error.value.messages == [
        "TIFF pictures are not accepted. Upload a JPEG, PNG, WebP or GIF."
    ]


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge picture: a decompression bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def test_a_truncated_picture_is_refused():
    whole = image_bytes(800, 600, "JPEG")
    cut = SimpleUploadedFile("cut.jpg", whole[: len(whole) // 2], content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        validate_image_upload(cut)
    assert error.value.messages == [
        "This picture is damaged or incomplete. Export it again and upload the new file."
    ]


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    bomb = SimpleUploadedFile("bomb.png", png_claiming(30_000, 30_000), content_type="image/png")
    with pytest.raises(ValidationError) as error:
        validate_image_upload(bomb)
    assert error.value.messages == [
        "This file is not a picture we can read. Upload a JPEG, PNG, WebP or GIF."
    ]


def test_a_large_but_not_explosive_picture_is_refused_by_its_header(settings):
    settings.IMAGE_MAX_PIXELS = 40_000_000
    big = SimpleUploadedFile("big.png", png_claiming(8_000, 6_000), content_type="image/png")
    with pytest.raises(ValidationError) as error:
        validate_image_upload(big)
    assert error.value.messages == [
        "This picture is 8000×6000 pixels; at most 40 million pixels are accepted."
    ]


def test_an_svg_with_script_is_refused():
    svg = SimpleUploadedFile(
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        content_type="image/svg+xml",
    )
    with pytest.raises(ValidationError) as error:
        validate_image_upload(svg)
    assert error.value.messages == [
        "This file is not a picture we can read. Upload a JPEG, PNG, WebP or GIF."
    ]
