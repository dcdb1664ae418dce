"""The import's own work that needs no database: each post's HTML converted to Markdown
and rendered as a save would render it. For a large export it is spread over a process
per core, which on two cores takes 10,000 posts from about 100 s to under 60.

The processes are spawned, not forked, so they share nothing with this one (its database
connection, a lock some thread held): they import only the converter and the renderer.
"""

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import repeat

from articles import rendering

from .convert import Converted, convert

# Below this many posts, starting the processes costs more than they save.
IN_PARALLEL_FROM = 200
CHUNK = 25


@dataclass
class Prepared:
    converted: Converted
    rendered: dict[str, str | int]  # the rendered fields of the post as converted


def render(markdown: str, quotes: list[dict], preview_paragraphs: int) -> dict[str, str | int]:
    quotes = [rendering.Quote(source_url="", **quote) for quote in quotes]
    return rendering.rendered_fields(markdown, quotes, preview_paragraphs=preview_paragraphs)


def prepare(html: str, preview_paragraphs: int) -> Prepared:
    converted = convert(html)
    rendered = render(converted.markdown, converted.pull_quotes, preview_paragraphs)
    return Prepared(converted, rendered)


def prepared(rows: list[dict], preview_paragraphs: int) -> Iterator[tuple[dict, Prepared]]:
    """Each row with its post prepared, in the export's order."""
    htmls = [row.get("html") or "" for row in rows]
    workers = os.cpu_count() or 1
    if len(rows) < IN_PARALLEL_FROM or workers < 2:
        yield from zip(rows, map(prepare, htmls, repeat(preview_paragraphs)), strict=True)
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        done = pool.map(prepare, htmls, repeat(preview_paragraphs), chunksize=CHUNK)
        yield from zip(rows, done, strict=True)
    finally:
        # An import that failed part way does not wait for the rest to be prepared.
        pool.shutdown(cancel_futures=True)
