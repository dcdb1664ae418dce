"""Reading the file Ghost Admin's "Export your content" writes (Ghost 3, 4 and 5).

An export is mostly its posts, each with its HTML and its editor's document besides, so
the posts are streamed (ijson), one at a time, while every other table (tags, authors,
tiers, the links between them) is small and read whole. The first pass reads those and
checks the whole file, so a fault anywhere stops the import before it writes anything.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ijson

SUPPORTED = (3, 4, 5)
# Every other table is optional: one an export lacks is empty (Ghost's own importer takes
# such files too).
NEEDED = ("posts",)
DATA = "db.item.data"
POSTS = f"{DATA}.posts"
# Ghost's exports nest about eight deep; the parser's paths (and memory) grow with depth.
DEEPEST = 32
OPENS, CLOSES = {"start_map", "start_array"}, {"end_map", "end_array"}


class ExportError(Exception):
    """A file that cannot be imported, said in one line that names what is wrong."""


class TooDeep(ValueError):
    pass


@dataclass
class Export:
    path: Path
    version: str
    data: dict  # every table but the posts
    post_count: int

    def posts(self) -> Iterator[dict]:
        """The posts and pages, read from the file one at a time."""
        with self.path.open("rb") as file:
            yield from ijson.items(file, f"{POSTS}.item", use_float=True)

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
        with path.open("rb") as file:
            meta, data, post_count = first_pass(file)
    except FileNotFoundError:
        raise ExportError(f"{path}: no such file.") from None
    except (ijson.JSONError, UnicodeDecodeError):
        raise ExportError(f"{path}: {fault(path)}") from None
    except TooDeep as deep:
        raise ExportError(
            f"{path}: nested more than {DEEPEST} deep (in {deep}), which no Ghost export is."
        ) from None
    try:
        version = str(meta["version"])
    except (KeyError, TypeError):
        raise ExportError(
            f'{path}: not a Ghost export (expected {{"db": [{{"meta": …, "data": …}}]}}).'
        ) from None
    major = version.split(".")[0]
    if not major.isdigit() or int(major) not in SUPPORTED:
        raise ExportError(f"{path}: Ghost {version} is not supported (Ghost 3, 4 and 5 are).")
    if missing := [name for name in NEEDED if name not in data]:
        raise ExportError(f"{path}: the export has no {', '.join(missing)} (Ghost {version}).")
    return Export(path, version, data, post_count)


def first_pass(file) -> tuple[dict | None, dict, int]:
    """The export's meta and its tables but the posts, which are only counted."""
    meta, data, post_count, depth = None, {}, 0, 0
    builders: dict[str, ijson.ObjectBuilder] = {}
    for prefix, event, value in ijson.parse(file, use_float=True):
        depth += (event in OPENS) - (event in CLOSES)
        if depth > DEEPEST:  # checked before anything is built
            raise TooDeep(".".join(prefix.split(".")[:4]) or "the top")
        if prefix == f"{POSTS}.item" and event == "start_map":
            post_count += 1
        if prefix == POSTS and event == "start_array":
            data["posts"] = None  # present; read in the second pass
        where = prefix.split(".", 4)[2:4]  # under db.item: ["meta"], or ["data", a table]
        if not prefix.startswith("db.item.") or where == ["data", "posts"]:
            continue
        if where[0] == "meta":
            name = "meta"
        elif where[0] == "data" and len(where) == 2:
            name = where[1]
        else:
            continue
        builders.setdefault(name, ijson.ObjectBuilder()).event(event, value)
    for name, builder in builders.items():
        if name == "meta":
            meta = builder.value
        else:
            data[name] = builder.value
    return meta, data, post_count


def fault(path: Path) -> str:
    """What is wrong with a file the streaming parser refused, said as json says it: with
    the line and column (read whole, but only for a file that cannot be imported)."""
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return "not a text file (a Ghost export is JSON)."
    except json.JSONDecodeError as error:
        return f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}."
    return "not valid JSON."
