"""Uploaded pictures: validated, stripped of metadata, served as WebP in a few widths."""

import io
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "png"}
HERO_WIDTHS = (480, 960, 1600)
PORTRAIT_WIDTHS = (96, 192, 384)


def validate_image_upload(file) -> None:
    """Refuse what is too big, too many pixels or not a format we serve, with a clear message."""
    if getattr(file, "_committed", False):
        return  # Stored already, so checked when it was uploaded.
    if file.size > settings.IMAGE_MAX_BYTES:
        raise ValidationError(
            "This file is %(size)s; pictures may be at most %(limit)s.",
            code="too_large",
            params={
                "size": filesizeformat(file.size),
                "limit": filesizeformat(settings.IMAGE_MAX_BYTES),
            },
        )
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format, (width, height) = image.format, image.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationError(
            "This file is not a picture we can read. Upload a JPEG, PNG, WebP or GIF.",
            code="invalid_image",
        ) from None
    finally:
        file.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            "%(format)s pictures are not accepted. Upload a JPEG, PNG, WebP or GIF.",
            code="invalid_format",
            params={"format": image_format},
        )
    if width * height > settings.IMAGE_MAX_PIXELS:
        raise ValidationError(
            "This picture is %(width)s×%(height)s pixels; at most %(limit)s million pixels "
            "are accepted.",
            code="too_many_pixels",
            params={
                "width": width,
                "height": height,
                "limit": f"{settings.IMAGE_MAX_PIXELS / 1_000_000:g}",
            },
        )
    # Only now, with the size known to be sane, decode every pixel: a cut-off file fails here.
    try:
        with Image.open(file) as image:
            image.load()
    except (OSError, SyntaxError, ValueError):
        raise ValidationError(
            "This picture is damaged or incomplete. Export it again and upload the new file.",
            code="damaged_image",
        ) from None
    finally:
        file.seek(0)


@dataclass(frozen=True)
class Picture:
    """One picture in several widths, ready for an <img> with srcset."""

    renditions: tuple[dict, ...]

    @property
    def src(self) -> str:
        # The middle width is a fair default for browsers that ignore srcset.
        return default_storage.url(self.renditions[len(self.renditions) // 2]["name"])

    @property
    def srcset(self) -> str:
        return ", ".join(f"{default_storage.url(r['name'])} {r['width']}w" for r in self.renditions)

    @property
    def width(self) -> int:
        return self.renditions[-1]["width"]

    @property
    def height(self) -> int:
        return self.renditions[-1]["height"]

    @property
    def smallest_url(self) -> str:
        return default_storage.url(self.renditions[0]["name"])


def picture(renditions: list[dict]) -> Picture | None:
    return Picture(tuple(renditions)) if renditions else None


def prepare_upload(upload: FieldFile, widths: tuple[int, ...]) -> tuple[ContentFile, list[dict]]:
    """Re-encode a new upload without its metadata and store its WebP renditions.

    Returns the clean file to store in place of the upload, and the renditions.
    """
    upload.seek(0)
    with Image.open(upload) as opened:
        image_format = opened.format
        # Turn the pixels upright before the EXIF orientation tag is dropped.
        image = ImageOps.exif_transpose(opened)
        image.load()
    image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    stem = PurePosixPath(upload.name).stem
    extension = ALLOWED_FORMATS[image_format]

    clean = io.BytesIO()
    save_format = "PNG" if extension == "png" else image_format
    image.save(clean, format=save_format, **_encoder_options(save_format))
    renditions = [_store_rendition(image, width, stem) for width in _widths_for(image, widths)]
    return ContentFile(clean.getvalue(), name=f"{stem}.{extension}"), renditions


def _widths_for(image: Image.Image, widths: tuple[int, ...]) -> list[int]:
    widest = min(image.width, widths[-1])
    return [*(width for width in widths if width < widest), widest]


def _store_rendition(image: Image.Image, width: int, stem: str) -> dict:
    height = max(1, round(image.height * width / image.width))
    resized = image if width == image.width else image.resize((width, height), Image.LANCZOS)
    buffer = io.BytesIO()
    resized.save(buffer, format="WEBP", quality=80, method=4)
    name = default_storage.save(f"renditions/{stem}-{width}w.webp", ContentFile(buffer.getvalue()))
    return {"name": name, "width": width, "height": height}


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "LA", "PA"} or (
        image.mode == "P" and "transparency" in image.info
    )


def _encoder_options(image_format: str) -> dict:
    if image_format == "JPEG":
        return {"quality": 90, "optimize": True}
    if image_format == "WEBP":
        return {"quality": 90}
    return {"optimize": True}
