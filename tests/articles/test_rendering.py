from html.parser import HTMLParser

import pytest

from articles.rendering import (
    Quote,
    markdown_blocks,
    parse_body,
    place_pull_quotes,
    reading_minutes,
    render,
)


def render_body(source: str, quotes=()) -> str:
    return render(source, quotes).body_html


VOID = {"br", "hr", "img"}


class BalanceChecker(HTMLParser):
    """Fails on any closing tag that does not match the open one."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack}"
        self.stack.pop()


def assert_well_formed(html: str) -> None:
    checker = BalanceChecker()
    checker.feed(html)
    checker.close()
    assert checker.stack == []


@pytest.mark.parametrize(
    ("markdown", "removed"),
    [
        ("Hello <script>alert('x')</script> there", "alert"),
        ('<img src="x.png" onerror="alert(1)">', "onerror"),
        ('<a href="https://example.com" onclick="steal()">link</a>', "onclick"),
        ("[click](javascript:alert(1))", 'href="javascript'),
        ('<a href="javascript:alert(1)">click</a>', "javascript:"),
        ('<a href="JaVaScRiPt:alert(1)">click</a>', "alert"),
        ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "data:"),
        ('<iframe src="https://evil.example"></iframe>', "iframe"),
        ("<style>body{display:none}</style>text", "display:none"),
        ('<p style="position:fixed">styled</p>', "position:fixed"),
        ('<form action="/steal"><input name="x"></form>', "<form"),
        ("<svg><script>alert(1)</script></svg>", "alert"),
        ("<!-- a comment for staff -->", "comment for staff"),
    ],
)
def test_sanitiser_removes_what_could_run_or_restyle(markdown, removed):
    html = render_body(markdown)
    assert removed.lower() not in html.lower()


def test_sanitiser_keeps_ordinary_formatting():
    html = render_body("Some *emphasis*, **strength** and a [link](https://example.com/a).")
    assert html == (
        "<p>Some <em>emphasis</em>, <strong>strength</strong> and a "
        '<a href="https://example.com/a">link</a>.</p>'
    )


def test_headings_get_anchors_and_h1_becomes_h2():
    blocks = markdown_blocks("# Big idea\n\ntext\n\n## Big idea\n\n### Small point")
    assert blocks[0] == (
        '<h2 id="big-idea">Big idea <a class="heading-anchor" href="#big-idea" '
        'title="Link to this section">#</a></h2>'
    )
    assert 'id="big-idea-2"' in blocks[2]
    assert blocks[3].startswith('<h3 id="small-point">')


def test_body_is_split_into_top_level_blocks():
    blocks = markdown_blocks("One.\n\n- a\n- b\n\n> quoted\n> more\n\n```\ncode\n```\n\nTwo.")
    assert [block.split(">")[0] for block in blocks] == ["<p", "<ul", "<blockquote", "<pre", "<p"]


def test_pull_quotes_stand_after_their_block():
    html = render_body(
        "First.\n\nSecond.\n\nThird.",
        [Quote("Said it", "Someone", "", 2), Quote("Opening", "Other", "", 0)],
    )
    order = [html.index(text) for text in ["Opening", "First.", "Second.", "Said it", "Third."]]
    assert order == sorted(order)


def test_pull_quote_past_the_end_goes_last():
    placed = place_pull_quotes(["<p>a</p>", "<p>b</p>"], [Quote("Late", "X", "", 99)])
    assert placed[-1].startswith('<figure class="pull-quote">')
    assert "Late" in placed[-1]


def test_pull_quote_markup_is_escaped_and_attributed_with_a_dash():
    html = render_body("Body.", [Quote("<b>bold</b> & more", "A <i>critic</i>", "", 1)])
    assert (
        '<figure class="pull-quote"><blockquote><p>&lt;b&gt;bold&lt;/b&gt; &amp; more</p>'
        "</blockquote><figcaption>– A &lt;i&gt;critic&lt;/i&gt;</figcaption></figure>"
    ) in html


def test_pull_quote_source_is_a_link():
    html = render_body("Body.", [Quote("Q", "Reporter", "https://example.com/story", 1)])
    assert '<a href="https://example.com/story" rel="noopener noreferrer">Source</a>' in html


def test_rendered_body_is_well_formed_even_from_broken_html():
    html = render_body(
        "<div><p>unclosed <b>bold\n\n<em>dangling</strong>\n\n</div></div>",
        [Quote("q", "a", "", 1)],
    )
    assert_well_formed(html)


def test_plain_text_has_the_words_without_markup():
    assert parse_body("# Title\n\nSome **bold** words.").text == "Title Some bold words."


@pytest.mark.parametrize(("words", "minutes"), [(0, 1), (230, 1), (231, 2), (2300, 10)])
def test_reading_minutes(words, minutes):
    assert reading_minutes(" ".join(["word"] * words)) == minutes
