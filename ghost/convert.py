"""A Ghost post's HTML as our Markdown source, so staff edit an imported post like any
other and our own pipeline renders and sanitises it.

Ghost's cards that Markdown cannot say (callout, bookmark, gallery, embed, button,
toggle, header) are simplified to what it can, each counted for the report. Ghost's
paywall comment becomes our marker at the same place, and its alternative blockquotes
(which themes show as pull quotes) become our pull quotes where they stood.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from markdownify import MarkdownConverter

PAYWALL = "members-only"
MARKER = "GHOSTPAYWALLMARKER"  # a word no post says, swapped for our marker afterwards
DASHES = ("—", "–", "-")
# Ghost's own HTML nests a dozen deep; markdownify walks the tree by recursion, which a
# body nested thousands deep would exhaust.
DEEPEST = 100


class TooDeep(ValueError):
    """A body nested deeper than DEEPEST: not converted."""


@dataclass
class Converted:
    markdown: str
    pull_quotes: list[dict] = field(default_factory=list)
    simplified: Counter = field(default_factory=Counter)
    pictures: list[str] = field(default_factory=list)  # every picture address, for --images


def convert(html: str) -> Converted:
    soup = BeautifulSoup(html or "", "html.parser")
    if (depth := nesting(soup)) > DEEPEST:
        raise TooDeep(f"its HTML is nested more than {DEEPEST} elements deep ({depth} or more)")
    result = Converted("")
    comments, cards = [], []
    for node in soup.descendants:  # one walk for both: a CSS select alone took ten times as long
        if isinstance(node, Comment):
            comments.append(node)
        elif isinstance(node, Tag) and "kg-card" in node.get("class", ()):
            cards.append(node)
    for comment in comments:
        if comment.strip() == PAYWALL:
            marker = soup.new_tag("p")
            marker.string = MARKER
            comment.replace_with(marker)
        else:
            comment.extract()
    for card in cards:
        simplify(soup, card, result.simplified)
    take_pull_quotes(soup, result)
    result.pictures = [img["src"] for img in soup.find_all("img") if img.get("src")]
    markdown = Markdown(heading_style="ATX", bullets="-", escape_misc=False).convert_soup(soup)
    markdown = re.sub(rf"^{MARKER}$", "<!--members-only-->", markdown, flags=re.M)
    result.markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"
    return result


def nesting(soup: BeautifulSoup) -> int:
    """How deep the elements go, walked without recursion; it stops past DEEPEST."""
    stack, deepest = [(soup, 0)], 0
    while stack and deepest <= DEEPEST:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tag))
    return deepest


class Markdown(MarkdownConverter):
    """markdownify, keeping a figure's caption as an italic line under its picture."""

    def convert_figcaption(self, el, text, parent_tags):
        text = text.strip()
        return f"\n\n*{text}*\n\n" if text else ""


def kind_of(card: Tag) -> str:
    for name in card.get("class", []):
        if name.startswith("kg-") and name.endswith("-card") and name != "kg-card":
            return name.removeprefix("kg-").removesuffix("-card")
    return "card"


def simplify(soup: BeautifulSoup, card: Tag, counted: Counter) -> None:
    """Replace a card Markdown cannot say by blocks it can, and count it."""
    kind = kind_of(card)
    if kind in ("image", "code", "html", "markdown", "divider"):
        return  # pictures, code and plain HTML come through as they are
    blocks: list[Tag] = []
    if kind == "callout":
        quote = soup.new_tag("blockquote")
        quote.append(paragraph(soup, text_of(card)))
        blocks.append(quote)
    elif kind == "bookmark":
        link = card.find("a")
        title = card.select_one(".kg-bookmark-title")
        description = card.select_one(".kg-bookmark-description")
        if link and link.get("href"):
            blocks.append(paragraph_link(soup, link["href"], text_of(title) or link["href"]))
        if description:
            blocks.append(paragraph(soup, text_of(description)))
    elif kind == "gallery":
        for image in card.find_all("img"):
            figure = soup.new_tag("p")
            figure.append(image.extract())
            blocks.append(figure)
    elif kind == "embed":
        frame = card.find(["iframe", "a"])
        source = frame.get("src") or frame.get("href") if frame else None
        caption = card.find("figcaption")
        if source:
            blocks.append(paragraph_link(soup, source, text_of(caption) or source))
    elif kind == "button":
        link = card.find("a")
        if link and link.get("href"):
            blocks.append(paragraph_link(soup, link["href"], text_of(link)))
    elif kind == "toggle":
        heading = card.select_one(".kg-toggle-heading-text")
        content = card.select_one(".kg-toggle-content")
        if heading:
            question = soup.new_tag("p")
            bold = soup.new_tag("strong")
            bold.string = text_of(heading)
            question.append(bold)
            blocks.append(question)
        if content:
            blocks.extend(
                child.extract() for child in list(content.children) if isinstance(child, Tag)
            )
    elif kind == "header":
        header = card.select_one(".kg-header-card-header, h2")
        subheader = card.select_one(".kg-header-card-subheader, h3")
        button = card.select_one("a")
        if header:
            title = soup.new_tag("h2")
            title.string = text_of(header)
            blocks.append(title)
        if subheader:
            blocks.append(paragraph(soup, text_of(subheader)))
        if button and button.get("href"):
            blocks.append(paragraph_link(soup, button["href"], text_of(button)))
    else:
        blocks.append(paragraph(soup, text_of(card)))
    counted[kind] += 1
    for block in blocks:
        card.insert_before(block)
    card.decompose()


def take_pull_quotes(soup: BeautifulSoup, result: Converted) -> None:
    """Ghost's alternative blockquotes, as our pull quotes after the block before them."""
    position = 0
    for block in list(top_level_blocks(soup)):
        is_alt = block.name == "blockquote" and "kg-blockquote-alt" in block.get("class", [])
        if not is_alt:
            if text_of(block) != MARKER:
                position += 1
            continue
        lines = [line.strip() for line in block.get_text("\n").splitlines() if line.strip()]
        attribution = ""
        if len(lines) > 1 and lines[-1].startswith(DASHES):
            attribution = lines.pop().lstrip("".join(DASHES)).strip()
        result.pull_quotes.append(
            {"text": " ".join(lines)[:600], "attribution": attribution[:200], "position": position}
        )
        block.decompose()


def top_level_blocks(soup: BeautifulSoup):
    for child in soup.children:
        if isinstance(child, Tag):
            yield child
        elif isinstance(child, NavigableString) and child.strip():
            yield wrap(soup, child)


def wrap(soup: BeautifulSoup, text: NavigableString) -> Tag:
    block = soup.new_tag("p")
    text.replace_with(block)
    block.string = str(text).strip()
    return block


def text_of(tag: Tag | None) -> str:
    return " ".join(tag.get_text(" ", strip=True).split()) if tag else ""


def paragraph(soup: BeautifulSoup, text: str) -> Tag:
    block = soup.new_tag("p")
    block.string = text
    return block


def paragraph_link(soup: BeautifulSoup, href: str, text: str) -> Tag:
    block = soup.new_tag("p")
    link = soup.new_tag("a", href=href)
    link.string = text
    block.append(link)
    return block
