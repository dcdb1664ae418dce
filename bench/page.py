"""The page both ceilings render: a template about the size of a post page."""

import os

SIZE = int(os.environ.get("CEILING_BYTES", "12000"))
PARAGRAPH = "The quick analysis of open models and the markets they change, paragraph {n}. "
TEMPLATE = (
    "<!doctype html><html><head><title>{{ title }}</title></head><body><main>"
    "<h1>{{ title }}</h1>{% for p in paragraphs %}<p>{{ p }}</p>{% endfor %}</main></body></html>"
)
PARAGRAPHS = [PARAGRAPH.format(n=n) * 2 for n in range(max(1, SIZE // (2 * len(PARAGRAPH) + 7)))]
