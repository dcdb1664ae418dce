"""Markdown bodies to sanitised HTML, rendered once when a post is saved.

The body is rendered block by block (a paragraph, a heading, a list, a picture)
so that pull quotes can stand between blocks and a preview can end on a block
boundary. Each block is sanitised on its own, which keeps every fragment, and so
any run of them, well-formed.
"""

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import nh3
from django.utils.html import format_html
from django.utils.text import slugify
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6",
    "a", "em", "strong", "code", "pre", "kbd", "sup", "sub", "del", "s", "mark",
    "blockquote", "ul", "ol", "li", "img", "figure", "figcaption",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "th": {"align", "scope"},
    "td": {"align"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Staff may drop raw HTML into Markdown; its text stays, these tags go with their content.
REMOVED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template"}

WORDS_PER_MINUTE = 230

_markdown = MarkdownIt("commonmark", {"html": True, "typographer": True}).enable(
    ["table", "strikethrough", "replacements", "smartquotes"]
)


@dataclass(frozen=True)
class Quote:
    """What the renderer needs of a pull quote."""

    text: str
    attribution: str
    source_url: str
    position: int


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=REMOVED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes={"a": {"heading-anchor"}},
        url_schemes=ALLOWED_URL_SCHEMES,
        # No `target` is allowed, so links cannot reach back through window.opener.
        link_rel=None,
    )


def markdown_blocks(source: str, *, anchors: bool = True) -> list[str]:
    """Render Markdown into a list of sanitised top-level HTML blocks."""
    tokens = _markdown.parse(source)
    _number_headings(tokens, links=anchors)
    blocks = []
    for group in _top_level_groups(tokens):
        html = sanitize(_markdown.renderer.render(group, _markdown.options, {})).strip()
        if html:
            blocks.append(html)
    return blocks


def pull_quote_html(quote: Quote) -> str:
    if quote.source_url:
        caption = format_html(
            '– {} <a href="{}" rel="noopener noreferrer">Source</a>',
            quote.attribution,
            quote.source_url,
        )
    else:
        caption = format_html("– {}", quote.attribution)
    return format_html(
        '<figure class="pull-quote"><blockquote><p>{}</p></blockquote>'
        "<figcaption>{}</figcaption></figure>",
        quote.text,
        caption,
    )


def place_pull_quotes(blocks: Sequence[str], quotes: Iterable[Quote]) -> list[str]:
    """Insert each quote after the block at its position (0 = before the first)."""
    placed = list(blocks)
    # From the last position back, so earlier insertions do not shift later ones.
    for quote in sorted(quotes, key=lambda q: q.position, reverse=True):
        placed.insert(min(quote.position, len(blocks)), pull_quote_html(quote))
    return placed


def render_body(source: str, quotes: Iterable[Quote] = ()) -> str:
    return "\n".join(place_pull_quotes(markdown_blocks(source), quotes))


def plain_text(source: str) -> str:
    """The words of a Markdown body, for reading time and search."""
    html = "\n".join(markdown_blocks(source, anchors=False))
    return re.sub(r"\s+", " ", nh3.clean(html, tags=set())).strip()


def reading_minutes(text: str) -> int:
    return max(1, math.ceil(len(text.split()) / WORDS_PER_MINUTE))


def _top_level_groups(tokens: list[Token]) -> Iterable[list[Token]]:
    group: list[Token] = []
    for token in tokens:
        group.append(token)
        if token.level == 0 and token.nesting <= 0:
            yield group
            group = []
    if group:
        yield group


def _number_headings(tokens: list[Token], *, links: bool) -> None:
    """Give each heading an id (and a link to itself); the page title is the only h1."""
    seen: set[str] = set()
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        if token.tag == "h1":
            token.tag = tokens[index + 2].tag = "h2"
        inline = tokens[index + 1]
        base = slugify(inline.content) or "section"
        anchor, n = base, 1
        while anchor in seen:
            n += 1
            anchor = f"{base}-{n}"
        seen.add(anchor)
        token.attrSet("id", anchor)
        if not links:
            continue
        link = Token("html_inline", "", 0)
        link.content = (
            f' <a class="heading-anchor" href="#{anchor}" title="Link to this section">#</a>'
        )
        inline.children = [*(inline.children or []), link]
