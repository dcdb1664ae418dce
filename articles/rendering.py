"""Markdown bodies to sanitised HTML, rendered once when a post is saved.

The body is rendered block by block (a paragraph, a heading, a list, a picture)
so that pull quotes can stand between blocks and a preview can end on a block
boundary. Each block is sanitised on its own, which keeps every fragment, and so
any run of them, well-formed.
"""

import hashlib
import html as entities
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from django.utils.html import format_html
from django.utils.text import slugify

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

    from .images import Picture

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6",
    "a", "em", "strong", "code", "pre", "kbd", "sup", "sub", "del", "s", "mark",
    "blockquote", "ul", "ol", "li", "img", "figure", "figcaption",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "srcset", "sizes", "loading", "decoding"},
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
# A picture uploaded with the post, as the body's Markdown shows it: ![](picture:harbour).
PICTURE_REFERENCE = re.compile(r"picture:([-\w]+)")
# The body's column (--measure in site.css), for the browser to choose a width.
BODY_PICTURE_SIZES = "(min-width: 42rem) 42rem, 100vw"
# Staff may drop raw HTML into Markdown; its text stays, these tags go with their content.
REMOVED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template"}

WORDS_PER_MINUTE = 230
# Where the free preview of a members-only post ends: a line of its own in the Markdown,
# the same marker Ghost uses, so posts move over from Ghost unchanged.
# Editors also type it with spaces, capitals, "_" or a space for "-", or as "paywall":
# those are the marker too. A comment that holds those words among others is none, and
# the admin refuses it with its line rather than cut the post where staff did not mean.
MEMBERS_ONLY_MARKER = "<!--members-only-->"
_MARKER_WORDS = r"(?:members?[\s_-]*only|paywall)"
MARKER = re.compile(rf"<!--\s*{_MARKER_WORDS}\s*-->", re.IGNORECASE)
NEAR_MARKER = re.compile(rf"<!--(?:(?!-->).)*?{_MARKER_WORDS}(?:(?!-->).)*?-->", re.I | re.S)


@cache
def markdown() -> "MarkdownIt":
    """Imported when a body is first rendered, as is nh3, not by every web worker: those
    serve bodies rendered at save (the two are 2.6 MB of each worker's memory)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True, "typographer": True}).enable(
        ["table", "strikethrough", "replacements", "smartquotes"]
    )


@dataclass(frozen=True)
class Quote:
    """What the renderer needs of a pull quote."""

    text: str
    attribution: str
    source_url: str
    position: int  # how many blocks stand before it, where `after` is not in the body
    after: str = ""  # the key of the block it stands after (block_key), if it names one


def sanitize(html: str) -> str:
    import nh3  # when first needed: see markdown()

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


@dataclass(frozen=True)
class Body:
    """A rendered body: its blocks, and where staff put the members-only marker."""

    blocks: list[str]
    keys: list[str]  # each block's key (block_key), by which a pull quote names its place
    marker_at: int | None  # how many blocks stand before the marker, if there is one
    text: str  # its words, without the headings' "#" links: for reading time

    def place_of(self, quote: Quote) -> int:
        """How many blocks stand before the quote: after the block it names, wherever an
        edit above has moved that block; where it last stood if the block is gone."""
        if quote.after in self.keys:
            return self.keys.index(quote.after) + 1
        return quote.position

    def preview_length(self, paragraphs: int) -> int:
        """How many blocks the free preview shows: up to the marker, else `paragraphs`.

        Without a marker the preview never holds the whole body, so a gate always
        keeps something back.
        """
        if self.marker_at is not None:
            return self.marker_at
        seen = 0
        for index, block in enumerate(self.blocks):
            seen += block.startswith("<p>")
            if seen == paragraphs:
                return min(index + 1, max(len(self.blocks) - 1, 0))
        return max(len(self.blocks) - 1, 0)


# A post's pictures by short name: each in its widths, and what it shows (its alt text).
Pictures = Mapping[str, tuple["Picture", str]]


def parse_body(source: str, pictures: Pictures | None = None) -> Body:
    """Render Markdown into sanitised top-level HTML blocks, noting the marker.

    Parsed once: the words for reading time come from the same blocks, before each
    heading gets its link to itself.
    """
    parser = markdown()
    tokens = parser.parse(source)
    _number_headings(tokens)
    _show_pictures(tokens, pictures or {})
    lines = source.splitlines()
    blocks: list[str] = []
    sources: list[str] = []
    plain: list[str] = []
    marker_at = None
    for group in _top_level_groups(tokens):
        if marker_at is None and _is_marker(group):
            marker_at = len(blocks)
            continue
        html = sanitize(parser.renderer.render(group, parser.options, {})).strip()
        if html:
            plain.append(html)
            blocks.append(_with_anchor(html, group[0]))
            start, end = group[0].map or (0, 0)
            sources.append("\n".join(line.strip() for line in lines[start:end]))
    return Body(blocks, _keys(sources), marker_at, text_of("\n".join(plain)))


def picture_names(source: str) -> list[str]:
    """The short names of the pictures the body shows, in order."""
    return [
        found[1]
        for token in markdown().parse(source)
        for child in token.children or []
        if child.type == "image" and (found := PICTURE_REFERENCE.fullmatch(child.attrGet("src")))
    ]


def _show_pictures(tokens: list["Token"], pictures: Pictures) -> None:
    """Each ![](picture:name) as the post's picture of that name, in its widths, with its
    width, height and alt text (the one in the brackets, if any). A name the post has no
    picture for shows nothing: the admin refuses such a body."""
    from markdown_it.token import Token

    for token in tokens:
        for index, child in enumerate(token.children or []):
            found = PICTURE_REFERENCE.fullmatch(child.attrGet("src") or "")
            if child.type != "image" or not found:
                continue
            if found[1] not in pictures:
                token.children[index] = Token("text", "", 0)
                continue
            picture, alt = pictures[found[1]]
            child.attrs.update(
                src=picture.src,
                srcset=picture.srcset,
                sizes=BODY_PICTURE_SIZES,
                width=str(picture.width),
                height=str(picture.height),
                loading="lazy",
                decoding="async",
            )
            if not child.content.strip():
                child.children = [Token("text", "", 0, content=alt)]


def block_key(block_source: str) -> str:
    """A block's key: a digest of its Markdown, so the same block has the same key however
    many blocks an edit puts before it, and an edited block has a new one."""
    return hashlib.sha256(block_source.encode()).hexdigest()[:16]


def _keys(sources: list[str]) -> list[str]:
    """Each block's key; a block said again word for word is told apart by its count."""
    keys: list[str] = []
    for block_source in sources:
        key = block_key(block_source)
        repeats = sum(1 for k in keys if k.split("-")[0] == key)
        keys.append(f"{key}-{repeats + 1}" if repeats else key)
    return keys


BLOCK_KINDS = {
    "p": "Paragraph", "h2": "Heading", "h3": "Heading", "h4": "Heading", "h5": "Heading",
    "h6": "Heading", "ul": "List", "ol": "List", "blockquote": "Quote", "pre": "Code",
    "table": "Table", "hr": "Line", "figure": "Picture",
}  # fmt: skip
FIRST_WORDS = 8


@lru_cache(maxsize=16)
def block_choices(source: str) -> tuple[tuple[str, str], ...]:
    """The body's blocks as staff choose among them: each key with the block's kind and
    first words ("Paragraph 3: “It was the first…”"). Kept for a few bodies: every pull
    quote's select on a change page reads the same one, more than once."""
    body = parse_body(source)
    choices = []
    for number, (key, html) in enumerate(zip(body.keys, body.blocks, strict=True), start=1):
        tag = re.match(r"<(\w+)", html)
        kind = BLOCK_KINDS.get(tag[1] if tag else "", "Block")
        words = entities.unescape(text_of(without_heading_anchors(html))).split()
        if not words and (alt := re.search(r'<img[^>]* alt="([^"]*)"', html)):
            kind, words = "Picture", entities.unescape(alt[1]).split()
        shown = " ".join(words[:FIRST_WORDS]) + ("…" if len(words) > FIRST_WORDS else "")
        choices.append((key, f"{kind} {number}: “{shown}”" if shown else f"{kind} {number}"))
    return tuple(choices)


def markdown_blocks(source: str) -> list[str]:
    return parse_body(source).blocks


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


@dataclass(frozen=True)
class Rendered:
    body_html: str
    preview_html: str
    text: str  # the body's words, without its pull quotes: for reading time
    places: tuple[int, ...] = ()  # how many blocks stand before each quote, in their order


def render(
    source: str,
    quotes: Sequence[Quote] = (),
    pictures: Pictures | None = None,
    *,
    preview_paragraphs: int = 2,
) -> Rendered:
    """The whole body with its pull quotes and pictures, and the free preview a gate shows.

    The preview is a run of the body's first blocks, with only the pull quotes
    that stand among them: nothing from beyond the cut.
    """
    body = parse_body(source, pictures)
    length = body.preview_length(preview_paragraphs)
    quotes = [replace(quote, position=body.place_of(quote)) for quote in quotes]
    kept = [quote for quote in quotes if quote.position < length]
    return Rendered(
        body_html="\n".join(place_pull_quotes(body.blocks, quotes)),
        preview_html="\n".join(place_pull_quotes(body.blocks[:length], kept)),
        text=body.text,
        places=tuple(quote.position for quote in quotes),
    )


def rendered_fields(
    source: str,
    quotes: Sequence[Quote] = (),
    pictures: Pictures | None = None,
    *,
    preview_paragraphs: int,
) -> dict[str, str | int]:
    """What a post stores of its body: the HTML of the body and of its free preview, their
    words for search, and its reading time."""
    return stored_fields(render(source, quotes, pictures, preview_paragraphs=preview_paragraphs))


def stored_fields(rendered: Rendered) -> dict[str, str | int]:
    return {
        "body_html": rendered.body_html,
        "preview_html": rendered.preview_html,
        "body_text": text_of(rendered.body_html),
        "preview_text": text_of(rendered.preview_html),
        "reading_minutes": reading_minutes(rendered.text),
    }


def text_of(html: str) -> str:
    """The words of rendered HTML, for search and summaries."""
    import nh3  # when first needed: see markdown()

    return re.sub(r"\s+", " ", nh3.clean(html, tags=set())).strip()


def reading_minutes(text: str) -> int:
    return max(1, math.ceil(len(text.split()) / WORDS_PER_MINUTE))


def misplaced_markers(source: str) -> list[str]:
    """Where the Markdown holds a members-only marker that cannot end the preview.

    Only a line of its own between blocks can: one in a quote, a list, a code
    block or a paragraph is part of that block, and a comment with other words
    beside the marker's is not the marker. Each place is told as a line number
    and what holds it, or what was written.
    """
    found: list[str] = []
    containers: list[str] = []
    for token in markdown().parse(source):
        if token.nesting == 1:
            containers.append(token.type)
        elif token.nesting == -1:
            containers.pop()
        if not token.map or not (near := NEAR_MARKER.search(token.content)):
            continue
        if not containers and _is_marker([token]):
            continue
        line = token.map[0] + 1 + token.content.count("\n", 0, near.start())
        if token.type in {"code_block", "fence"} or MARKER.fullmatch(near[0]):
            found.append(f"line {line} ({_holder(token, containers)})")
        else:
            found.append(f"line {line} (“{near[0]}” is not the marker)")
    return found


def _holder(token: "Token", containers: list[str]) -> str:
    if token.type in {"code_block", "fence"}:
        return "in a code block"
    if "blockquote_open" in containers:
        return "in a quote"
    if {"bullet_list_open", "ordered_list_open"} & set(containers):
        return "in a list"
    return "within other text"


def _is_marker(group: list["Token"]) -> bool:
    return (
        len(group) == 1
        and group[0].type == "html_block"
        and MARKER.fullmatch(group[0].content.strip()) is not None
    )


def _top_level_groups(tokens: list["Token"]) -> Iterable[list["Token"]]:
    group: list[Token] = []
    for token in tokens:
        group.append(token)
        if token.level == 0 and token.nesting <= 0:
            yield group
            group = []
    if group:
        yield group


def _number_headings(tokens: list["Token"]) -> None:
    """Give each heading an id; the page title is the only h1."""
    seen: set[str] = set()
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        if token.tag == "h1":
            token.tag = tokens[index + 2].tag = "h2"
        base = slugify(tokens[index + 1].content) or "section"
        anchor, n = base, 1
        while anchor in seen:
            n += 1
            anchor = f"{base}-{n}"
        seen.add(anchor)
        token.attrSet("id", anchor)


# The link _with_anchor gives a heading, for sharing a section of the page: an email has
# no use for it (a red "#" after each heading, and its address spelled out in the text).
HEADING_ANCHOR = re.compile(r' <a class="heading-anchor" [^>]*>#</a>')


def without_heading_anchors(html: str) -> str:
    return HEADING_ANCHOR.sub("", html)


def _with_anchor(html: str, opening: "Token") -> str:
    """A heading's sanitised HTML with a link to itself (its id is a slug: safe as it is)."""
    if opening.type != "heading_open":
        return html
    closing = f"</{opening.tag}>"
    link = (
        f' <a class="heading-anchor" href="#{opening.attrGet("id")}" '
        'title="Link to this section">#</a>'
    )
    return html.removesuffix(closing) + link + closing
