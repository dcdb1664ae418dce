"""Properties of the free preview, over generated Markdown bodies."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from articles.rendering import MEMBERS_ONLY_MARKER, Quote, misplaced_markers, parse_body, render
from tests.articles.test_rendering import assert_well_formed

KINDS = ["paragraph", "heading", "quote", "list"]


@st.composite
def bodies(draw):
    """Markdown whose blocks each render to one top-level block, each with its own words."""
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=0, max_size=12))
    blocks = []
    for index, kind in enumerate(kinds):
        if kind == "list" and index and kinds[index - 1] == "list":
            kind = "paragraph"  # two lists in a row would merge into one
        words = f"w{index}a w{index}b"
        blocks.append(
            {
                "paragraph": words,
                "heading": f"## {words}",
                "quote": f"> {words}",
                "list": f"- {words}",
            }[kind]
        )
    marker_at = draw(st.one_of(st.none(), st.integers(0, len(blocks))))
    if marker_at is not None:
        blocks.insert(marker_at, MEMBERS_ONLY_MARKER)
    return "\n\n".join(blocks), len(kinds), marker_at


quotes = st.lists(
    st.builds(Quote, st.just("quoted words"), st.just("someone"), st.just(""), st.integers(0, 15)),
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(bodies(), quotes, st.integers(1, 4))
def test_preview_is_a_well_formed_prefix_that_holds_nothing_past_the_cut(body, quotes, paragraphs):
    source, count, marker_at = body
    rendered = render(source, quotes, preview_paragraphs=paragraphs)

    assert rendered.body_html.startswith(rendered.preview_html)
    assert_well_formed(rendered.preview_html)
    assert_well_formed(rendered.body_html)

    shown = {index for index in range(count) if f"w{index}a" in rendered.preview_html}
    length = len(shown)
    assert shown == set(range(length))  # the first blocks, in order, and nothing after
    if marker_at is not None:
        assert length == marker_at
    else:
        assert length < count or count == 0  # a gate always keeps something back
    assert MEMBERS_ONLY_MARKER not in rendered.body_html


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400), st.booleans(), st.integers(1, 3))
def test_any_text_renders_to_a_well_formed_prefix(text, with_marker, paragraphs):
    source = text + (f"\n\n{MEMBERS_ONLY_MARKER}\n\nafter the cut" if with_marker else "")
    rendered = render(source, preview_paragraphs=paragraphs)
    assert rendered.body_html.startswith(rendered.preview_html)
    assert_well_formed(rendered.preview_html)
    if with_marker:
        assert "after the cut" not in rendered.preview_html


def test_only_a_line_of_its_own_is_the_marker():
    inline = parse_body(f"Text with {MEMBERS_ONLY_MARKER} inside.\n\nMore.")
    assert inline.marker_at is None
    indented = parse_body(f"One.\n\n  {MEMBERS_ONLY_MARKER}  \n\nTwo.")
    assert indented.marker_at == 1


@pytest.mark.parametrize(
    "marker",
    [
        "<!--members-only-->",
        "<!-- members-only -->",
        "<!--Members-Only-->",
        "<!--MEMBERS-ONLY-->",
        "<!--  members-only\t-->",
        "   <!-- members-only -->   ",
        # What the first review found accepted silently, the post cut after two paragraphs:
        "<!--members only-->",
        "<!--members_only-->",
        "<!-- paywall -->",
        "<!--Member-Only-->",
    ],
)
def test_whitespace_case_and_spelling_variants_are_the_marker(marker):
    body = parse_body(f"Free one.\n\nFree two.\n\nFree three.\n\n{marker}\n\nPaid.")
    assert body.marker_at == 3
    rendered = render(f"Free one.\n\n{marker}\n\nPaid.", preview_paragraphs=2)
    assert rendered.preview_html == "<p>Free one.</p>"
    assert "members-only" not in rendered.body_html.lower()


@pytest.mark.parametrize(
    ("source", "places"),
    [
        ("Free.\n\n> <!--members-only-->\n\nPaid.", ["line 3 (in a quote)"]),
        ("Free.\n\n    <!--members-only-->\n\nPaid.", ["line 3 (in a code block)"]),
        ("Free.\n\n```\n<!-- members-only -->\n```\n\nPaid.", ["line 3 (in a code block)"]),
        ("Free.\n\n- <!--members-only-->\n\nPaid.", ["line 3 (in a list)"]),
        ("Free. <!--members-only--> Paid.", ["line 1 (within other text)"]),
        ("Free.\n<!--members-only-->\nPaid.", []),  # an HTML comment ends a paragraph
        ("<!--members-only-->\n\n> <!--Members-Only-->", ["line 3 (in a quote)"]),
        ("Free.\n\n<!-- members-only -->\n\nPaid.", []),
        ("Free.\n\n<!-- paywall -->\n\nPaid.", []),
        (
            "Free.\n\n<!-- members-only below -->\n\nPaid.",
            ["line 3 (“<!-- members-only below -->” is not the marker)"],
        ),
        (
            "Free.\n\nMore.\n<!--paywall here-->\n\nPaid.",
            ["line 4 (“<!--paywall here-->” is not the marker)"],
        ),
        ("Free.\n\n<!-- a note for the editor -->\n\nPaid.", []),  # not near the marker
    ],
)
def test_markers_that_cannot_end_the_preview_are_found_with_their_line(source, places):
    assert misplaced_markers(source) == places
