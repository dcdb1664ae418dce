"""An export comes from elsewhere and is read as an upload is: each field the import uses
must be of the kind Ghost writes, each page's address a slug that names no address of
this site's own, each picture a file inside the images folder. What is wrong stops the
import in one line naming the item."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.urls import Resolver404, resolve
from django.utils.dateparse import parse_datetime

from articles.models import Article

TEXT, MAYBE_TEXT, MAYBE_NUMBER = (str,), (str, type(None)), (int, float, type(None))
MAYBE_FLAG = (bool, int, type(None))
# The fields the import reads of each table's rows, and what Ghost writes in them.
FIELDS = {
    "post": {
        "id": TEXT,
        "slug": TEXT,
        "title": TEXT,
        "html": MAYBE_TEXT,
        "status": MAYBE_TEXT,
        "type": MAYBE_TEXT,
        "visibility": MAYBE_TEXT,
        "published_at": MAYBE_TEXT,
        "custom_excerpt": MAYBE_TEXT,
        "feature_image": MAYBE_TEXT,
        "featured": MAYBE_FLAG,
    },
    "tag": {
        "id": TEXT,
        "name": TEXT,
        "slug": TEXT,
        "description": MAYBE_TEXT,
        "visibility": MAYBE_TEXT,
    },
    "author": {
        "id": TEXT,
        "name": TEXT,
        "slug": TEXT,
        "bio": MAYBE_TEXT,
        "website": MAYBE_TEXT,
        "twitter": MAYBE_TEXT,
        "facebook": MAYBE_TEXT,
        "profile_image": MAYBE_TEXT,
    },
    "tier": {
        "id": TEXT,
        "name": TEXT,
        "slug": MAYBE_TEXT,
        "description": MAYBE_TEXT,
        "type": MAYBE_TEXT,
        "visibility": MAYBE_TEXT,
        "currency": MAYBE_TEXT,
        "monthly_price": MAYBE_NUMBER,
        "yearly_price": MAYBE_NUMBER,
    },
}
REQUIRED = {"id", "slug", "name", "title"}
JSON_NAMES = {str: "text", int: "a number", float: "a number", bool: "true or false"}
JSON_NAMES |= {type(None): "null", list: "a list", dict: "an object"}


class Refused(ValueError):
    """What is wrong with one item, said in one line that names it."""


def row(kind: str, position: int, found) -> dict:
    """The row, once each field the import reads is of the kind Ghost writes."""
    if not isinstance(found, dict):
        got = JSON_NAMES.get(type(found), "a value")
        raise Refused(f"{kind} {position + 1}: {got}, not an object")
    fields = FIELDS[kind]
    for name, kinds in fields.items():
        value = found.get(name)
        if name not in found and name not in REQUIRED:
            continue
        if not isinstance(value, kinds):
            wanted = " or ".join(dict.fromkeys(JSON_NAMES[k] for k in kinds))
            got = JSON_NAMES.get(type(value), "a value")
            raise Refused(f"{named(kind, position, found)}: {name} must be {wanted}, not {got}")
    if kind == "post":
        post(position, found)
    return found


def post(position: int, found: dict) -> None:
    published = found.get("published_at")
    try:
        valid = published is None or parse_datetime(published) is not None
    except ValueError:
        valid = False
    if not valid:
        raise Refused(f"{named('post', position, found)}: published_at {published!r} is not a date")
    if found.get("html") is None and found.get("status") != "draft":
        raise Refused(f"{named('post', position, found)}: html is null (only a draft may be empty)")


def page_address(found: dict) -> str:
    """A page's address here: /<slug>/, its slug held to the rule of posts' slugs, and
    not an address the site answers itself (/admin/, /feed/)."""
    slug = found["slug"]
    try:
        Article._meta.get_field("slug").run_validators(slug)
    except ValidationError as error:
        raise Refused(f"page {found['id']} ({slug}): {' '.join(error.messages)}") from None
    address = f"/{slug}/"
    if answers_itself(address):
        raise Refused(f"page {found['id']} ({slug}): {address} is an address of this site's own")
    return address


def answers_itself(address: str) -> bool:
    try:
        resolve(address)
    except Resolver404:
        return False
    return True


def picture_path(images: Path, relative: str) -> Path:
    """The file a picture address names inside the images folder; Refused for one outside
    it, by an absolute path, "..", or a symbolic link anywhere on the way."""
    parts = Path(relative).parts
    if Path(relative).is_absolute() or ".." in parts:
        raise Refused("outside the images folder")
    path = images
    for part in parts:
        path = path / part
        if path.is_symlink():
            raise Refused("a symbolic link, not a file in the images folder")
    if not path.resolve().is_relative_to(images.resolve()):
        raise Refused("outside the images folder")
    return path


def named(kind: str, position: int, found: dict) -> str:
    ghost_id, slug = found.get("id"), found.get("slug")
    name = f"{kind} {ghost_id}" if isinstance(ghost_id, str) else f"{kind} {position + 1}"
    return f"{name} ({slug})" if isinstance(slug, str) else name
