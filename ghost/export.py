"""Reading the file Ghost Admin's "Export your content" writes (Ghost 3, 4 and 5)."""

import json
from dataclasses import dataclass, field
from pathlib import Path


class ExportError(Exception):
    """A file that cannot be imported, said in one line that names what is wrong."""


SUPPORTED = (3, 4, 5)
NEEDED = ("posts", "tags", "users")


@dataclass
class Export:
    version: str
    data: dict
    by_id: dict = field(default_factory=dict)

    def table(self, *names: str) -> list[dict]:
        """The first of these tables the export has (Ghost 5 says tiers, 4 products)."""
        for name in names:
            if name in self.data:
                return self.data[name] or []
        return []

    def links(self, table: str, owner: str, target: str) -> dict[str, list[str]]:
        """A join table as {owner id: [target ids in order]}."""
        linked: dict[str, list[str]] = {}
        for row in sorted(self.table(table), key=lambda r: r.get("sort_order") or 0):
            linked.setdefault(row[owner], []).append(row[target])
        return linked


def read(path: Path) -> Export:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ExportError(f"{path}: no such file.") from None
    except UnicodeDecodeError:
        raise ExportError(f"{path}: not a text file (a Ghost export is JSON).") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ExportError(
            f"{path}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}."
        ) from None
    try:
        (db,) = document["db"] if isinstance(document, dict) else [None]
        meta, data = db["meta"], db["data"]
        version = str(meta["version"])
    except (KeyError, TypeError, ValueError):
        raise ExportError(
            f'{path}: not a Ghost export (expected {{"db": [{{"meta": …, "data": …}}]}}).'
        ) from None
    major = version.split(".")[0]
    if not major.isdigit() or int(major) not in SUPPORTED:
        raise ExportError(f"{path}: Ghost {version} is not supported (Ghost 3, 4 and 5 are).")
    missing = [name for name in NEEDED if name not in data]
    if missing:
        raise ExportError(f"{path}: the export has no {', '.join(missing)} (Ghost {version}).")
    return Export(version=version, data=data)
