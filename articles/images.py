"""Uploaded pictures: validated, stripped of metadata, served as WebP in a few widths."""

import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import models
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "png"}
if TYPE_CHECKING:
    from PIL import Image

HERO_WIDTHS = (480, 960, 1600)
PORTRAIT_WIDTHS = (96, 192, 384)
RENDITIONS = "renditions/"
WEBP_MAX_SIDE = 16383  # the WebP format's limit, in pixels, for either side


def validate_image_upload(file) -> None:
    """Refuse what is too big, too many pixels or not a format we serve, with a clear message."""
    # Pillow is imported where pictures are read and made, not by every web worker: those
    # serve renditions made at upload (2.2 MB of each worker's memory).
    from PIL import Image, UnidentifiedImageError

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
    # The widest rendition any picture gets keeps the picture's shape: it must fit WebP.
    widest = min(width, HERO_WIDTHS[-1])
    if round(height * widest / width) > WEBP_MAX_SIDE:
        raise ValidationError(
            "This picture is %(width)s×%(height)s pixels: too tall for the web versions made "
            "of it, which may be at most %(limit)s pixels tall at %(widest)s pixels wide. "
            "Crop it and upload it again.",
            code="too_tall",
            params={"width": width, "height": height, "limit": WEBP_MAX_SIDE, "widest": widest},
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


@dataclass(frozen=True)
class Encoded:
    """A new upload, re-encoded without its metadata, and its WebP renditions: all in memory."""

    clean: ContentFile
    renditions: tuple[tuple[int, int, bytes], ...]  # width, height, WebP bytes
    stem: str


def encode(upload: FieldFile, widths: tuple[int, ...]) -> Encoded:
    """Encode a new upload once, when it is validated; saving stores what this made.

    An encoder's failure is a ValidationError for the form to show next to the field.
    """
    if getattr(upload, "encoded", None) is None:
        with encoder_failures():
            upload.encoded = _encode(upload, widths)
    return upload.encoded


def cleaned(upload: File) -> ContentFile:
    """A picture to store as it is shown (one in a post's body): re-encoded without its
    metadata, as every upload is. ValidationError if it cannot be."""
    with encoder_failures():
        return _cleaned(upload)[1]


@contextmanager
def encoder_failures() -> Iterator[None]:
    from PIL import Image  # when first needed: see validate_image_upload

    try:
        yield
    except (OSError, ValueError, SyntaxError, MemoryError, Image.DecompressionBombError):
        raise ValidationError(
            "Web versions of this picture could not be made. Export it again as a JPEG "
            "or PNG and upload the new file.",
            code="encoder_failed",
        ) from None


def store(upload: FieldFile, widths: tuple[int, ...]) -> tuple[ContentFile, list[dict]]:
    """The clean file to store in place of the upload, and its renditions, stored.

    Nothing is left on disk when storing fails part-way.
    """
    encoded = encode(upload, widths)
    renditions: list[dict] = []
    try:
        for width, height, data in encoded.renditions:
            # The name carries a digest of the content: each name holds one picture for ever,
            # so browsers may keep it a year (articles/media.py).
            digest = hashlib.sha256(data).hexdigest()[:12]
            name = f"{RENDITIONS}{encoded.stem}-{width}w-{digest}.webp"
            name = default_storage.save(name, ContentFile(data))
            renditions.append({"name": name, "width": width, "height": height})
    except BaseException:
        discard(renditions)
        raise
    return encoded.clean, renditions


def encodes(instance: models.Model, field: str, widths: tuple[int, ...], exclude) -> None:
    """For Model.clean_fields: make a new upload's web versions now, so a failure is a
    message next to its field rather than an error when saving."""
    upload = getattr(instance, field)
    if field in (exclude or ()) or not upload or upload._committed:
        return
    try:
        encode(upload, widths)
    except ValidationError as error:
        raise ValidationError({field: error}) from None


@contextmanager
def new_picture(
    instance: models.Model, field: str, renditions_field: str, widths: tuple[int, ...]
) -> Iterator[None]:
    """Around a save: store a new upload's clean file and renditions; undo if the save fails."""
    upload = getattr(instance, field)
    stored: list[dict] = []
    if upload and not upload._committed:
        clean, stored = store(upload, widths)
        setattr(instance, field, clean)
        setattr(instance, renditions_field, stored)
    elif not upload:
        setattr(instance, renditions_field, [])
    try:
        yield
    except BaseException:
        if stored:
            discard(stored, getattr(instance, field))
        raise


def discard(renditions: list[dict], *files: FieldFile) -> None:
    """Remove stored renditions (and files) that no saved row will point to."""
    for name in [r["name"] for r in renditions] + [f.name for f in files if f and f._committed]:
        default_storage.delete(name)


def _encode(upload: FieldFile, widths: tuple[int, ...]) -> Encoded:
    image, clean = _cleaned(upload)
    renditions = tuple(_rendition(image, width) for width in _widths_for(image, widths))
    return Encoded(clean, renditions, PurePosixPath(upload.name).stem)


def _cleaned(upload: File) -> tuple["Image.Image", ContentFile]:
    """The picture upright, and re-encoded in its format (GIF as PNG) without metadata."""
    from PIL import Image, ImageOps

    upload.seek(0)
    with Image.open(upload) as opened:
        image_format = opened.format
        # Turn the pixels upright before the EXIF orientation tag is dropped.
        image = ImageOps.exif_transpose(opened)
        image.load()
    image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    # Pillow writes some of what it read (a JPEG's comment) into the copy: nothing goes.
    image.info = {}
    extension = ALLOWED_FORMATS[image_format]
    clean = io.BytesIO()
    save_format = "PNG" if extension == "png" else image_format
    image.save(clean, format=save_format, **_encoder_options(save_format))
    name = f"{PurePosixPath(upload.name).stem}.{extension}"
    return image, ContentFile(clean.getvalue(), name=name)


def _widths_for(image: "Image.Image", widths: tuple[int, ...]) -> list[int]:
    widest = min(image.width, widths[-1])
    return [*(width for width in widths if width < widest), widest]


def _rendition(image: "Image.Image", width: int) -> tuple[int, int, bytes]:
    from PIL import Image

    height = max(1, round(image.height * width / image.width))
    resized = image if width == image.width else image.resize((width, height), Image.LANCZOS)
    buffer = io.BytesIO()
    resized.save(buffer, format="WEBP", quality=80, method=4)
    return width, height, buffer.getvalue()


def _has_alpha(image: "Image.Image") -> bool:
    return image.mode in {"RGBA", "LA", "PA"} or (
        image.mode == "P" and "transparency" in image.info
    )


def _encoder_options(image_format: str) -> dict:
    if image_format == "JPEG":
        return {"quality": 90, "optimize": True}
    if image_format == "WEBP":
        return {"quality": 90}
    return {"optimize": True}
