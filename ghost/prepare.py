"""The import's own work that needs no database: each post's HTML converted to Markdown
and rendered as a save would render it. For a large export it is spread over a process
per core, which on two cores takes 10,000 posts from about 100 s to under 60.

The processes are spawned, not forked, so they share nothing with this one (its database
connection, a lock some thread held): they import only the converter and the renderer.
"""

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice, repeat

from articles import rendering

from .convert import Converted, TooDeep, convert

# Below this many posts, starting the processes costs more than they save.
IN_PARALLEL_FROM = 200
# Posts handed out at a time: the next batch is prepared while this one is written, and
# no more than two are held, however long the export.
BATCH = 500
CHUNK = 25  # posts a process takes at once


@dataclass
class Prepared:
    converted: Converted | None
    rendered: dict[str, str | int] | None  # the post's rendered fields, if it is new here
    refused: str | None = None  # why the post's HTML was not converted


def render(markdown: str, quotes: list[dict], preview_paragraphs: int) -> dict[str, str | int]:
    quotes = [rendering.Quote(source_url="", **quote) for quote in quotes]
    return rendering.rendered_fields(markdown, quotes, preview_paragraphs=preview_paragraphs)


def prepare(html: str, preview_paragraphs: int, rendered: bool) -> Prepared:
    try:
        converted = convert(html)
    except TooDeep as refused:  # said by the import, which knows the post, not raised here
        return Prepared(None, None, str(refused))
    if not rendered:  # a post imported before is saved, and so rendered, only if it changed
        return Prepared(converted, None)
    return Prepared(
        converted, render(converted.markdown, converted.pull_quotes, preview_paragraphs)
    )


def prepared(
    rows: Iterable[dict], count: int, preview_paragraphs: int, *, is_new: Callable[[dict], bool]
) -> Iterator[tuple[dict, Prepared]]:
    """Each of the `count` rows with its post prepared (and rendered if new), in order."""
    workers = os.cpu_count() or 1
    if count < IN_PARALLEL_FROM or workers < 2:
        for row in rows:
            yield row, prepare(row.get("html") or "", preview_paragraphs, is_new(row))
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        waiting = None
        for batch in batches(rows, BATCH):
            htmls = [row.get("html") or "" for row in batch]
            news = [is_new(row) for row in batch]
            work = pool.map(prepare, htmls, repeat(preview_paragraphs), news, chunksize=CHUNK)
            if waiting:
                yield from zip(*waiting, strict=True)
            waiting = (batch, work)
        if waiting:
            yield from zip(*waiting, strict=True)
    finally:
        # An import that failed part way does not wait for the rest to be prepared.
        pool.shutdown(cancel_futures=True)


def batches(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch
