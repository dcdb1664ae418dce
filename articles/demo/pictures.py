"""Placeholder pictures for the demo, drawn with Pillow: "Lorem FPO" (for position only)."""

import io

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

PALETTE = ["#7a2e1b", "#1f4e5f", "#4b5d23", "#5b3a6b", "#8a5a00"]


def placeholder(width: int, height: int, label: str = "Lorem FPO", *, name: str) -> ContentFile:
    image = Image.new("RGB", (width, height), "#d9d4ca")
    draw = ImageDraw.Draw(image)
    for x in range(-height, width, 48):
        draw.line([(x, height), (x + height, 0)], fill="#cdc7bb", width=12)
    font = ImageFont.load_default(size=max(16, height // 8))
    draw.text((width / 2, height / 2), label, fill="#5c574f", font=font, anchor="mm")
    return _png(image, name)


def portrait(name: str, index: int, *, filename: str) -> ContentFile:
    size = 512
    image = Image.new("RGB", (size, size), PALETTE[index % len(PALETTE)])
    initials = "".join(part[0] for part in name.split()[:2]).upper()
    font = ImageFont.load_default(size=size // 3)
    ImageDraw.Draw(image).text(
        (size / 2, size / 2), initials, fill="#fbfaf7", font=font, anchor="mm"
    )
    return _png(image, filename)


def _png(image: Image.Image, name: str) -> ContentFile:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name=name)
