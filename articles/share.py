"""The share picture of a post without a hero picture: drawn with Pillow, 1200×630.

Link previews (Open Graph) and search results (structured data) want a picture
for every post. A post with a hero picture shares it; any other gets a card with
its title, its byline and the publication's name, on the publication's colours.
The file's name carries a digest of what it shows, so it is drawn again only
when that changes, and each name holds one picture for ever (cached a year).
"""

import hashlib
import io
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

if TYPE_CHECKING:
    from PIL import Image, ImageDraw, ImageFont

FOLDER = "share/"
# The publication's logo, a static file: its publisher mark, and the share picture when a
# card cannot be stored.
LOGO, LOGO_SIZE = "logo.png", (512, 512)
SIZE = (1200, 630)
MARGIN = 80
PAPER, TEXT, MUTED, ACCENT = "#fbfaf7", "#1d1b18", "#5c574f", "#a3321b"  # static/css/site.css
FORMATS = {"png": "PNG", "webp": "WEBP"}
ENCODER_OPTIONS = {"PNG": {}, "WEBP": {"quality": 85, "method": 0}}  # method 0: 20 ms, not 95


@dataclass(frozen=True)
class Card:
    title: str
    byline: str  # "By Ann and Bo", or empty

    @property
    def stem(self) -> str:
        shown = "\n".join([self.title, self.byline, settings.PUBLICATION_NAME])
        return FOLDER + hashlib.sha256(shown.encode()).hexdigest()[:16]

    def names(self) -> dict[str, str]:
        """The stored files, drawn now if they are not there yet: {"png": name, "webp": name}."""
        names = {extension: f"{self.stem}.{extension}" for extension in FORMATS}
        if not all(default_storage.exists(name) for name in names.values()):
            picture = self.draw()
            for extension, image_format in FORMATS.items():
                buffer = io.BytesIO()
                picture.save(buffer, format=image_format, **ENCODER_OPTIONS[image_format])
                if not default_storage.exists(names[extension]):
                    names[extension] = default_storage.save(
                        names[extension], ContentFile(buffer.getvalue())
                    )
        return names

    def draw(self) -> "Image.Image":
        # Pillow is imported when a card is first drawn (by the worker, as a rule), not by
        # every web worker (2.2 MB of each one's memory).
        from PIL import Image, ImageDraw

        picture = Image.new("RGB", SIZE, PAPER)
        draw = ImageDraw.Draw(picture)
        draw.rectangle([0, 0, SIZE[0], 16], fill=ACCENT)
        draw.text((MARGIN, 70), settings.PUBLICATION_NAME, font=font(40), fill=ACCENT)
        size, lines = fitted_title(self.title, draw)
        y = 150
        for line in lines:
            draw.text((MARGIN, y), line, font=font(size), fill=TEXT)
            y += round(size * 1.2)
        if self.byline:
            draw.text((MARGIN, SIZE[1] - 70 - 36), self.byline, font=font(36), fill=MUTED)
        return picture


def byline(names: list[str]) -> str:
    """ "By Ann", "By Ann and Bo", "By Ann, Bo and Cy"; empty for no one."""
    if not names:
        return ""
    return "By " + (names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}")


def font(size: int) -> "ImageFont.FreeTypeFont":
    from PIL import ImageFont

    return ImageFont.load_default(size=size)  # Pillow's own typeface: no system fonts needed


def fitted_title(title: str, draw: "ImageDraw.ImageDraw") -> tuple[int, list[str]]:
    """The largest size at which the title fits in four lines; cut short at the smallest."""
    width = SIZE[0] - 2 * MARGIN
    for size in (72, 64, 56, 48):
        lines = wrapped(title, size, width, draw)
        if len(lines) <= 4:
            return size, lines
    lines = wrapped(title, 48, width, draw)
    return 48, [*lines[:3], textwrap.shorten(lines[3] + " " + " ".join(lines[4:]), 40)]


def wrapped(text: str, size: int, width: int, draw: "ImageDraw.ImageDraw") -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font(size)) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines
