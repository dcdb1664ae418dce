"""The Markdown renderer over arbitrary text: it never fails, and nothing unsafe survives."""

from html.parser import HTMLParser
from urllib.parse import urlparse

from hypothesis import given, settings
from hypothesis import strategies as st

from articles.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, ALLOWED_URL_SCHEMES, render

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "![x](javascript:alert(1))",
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>*{display:none}</style>",
    '<p style="position:fixed">x</p>',
    '<svg onload="alert(1)"><circle/></svg>',
    '<object data="x.swf"></object>',
    '<form action="https://evil.example"><input></form>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<!--members-only-->",
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
]


class SafetyChecker(HTMLParser):
    """Fails on any tag, attribute or link the allow-list does not permit."""

    def handle_starttag(self, tag, attrs) -> None:
        assert tag in ALLOWED_TAGS | {"figure", "figcaption"}, tag
        for name, value in attrs:
            allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | {"class", "rel"}
            assert name in allowed, (tag, name)
            if name in {"href", "src"} and value and ":" in value.split("/")[0]:
                assert urlparse(value).scheme in ALLOWED_URL_SCHEMES, value


def assert_safe(html: str) -> None:
    checker = SafetyChecker()
    checker.feed(html)
    checker.close()


pieces = st.one_of(st.text(max_size=60), st.sampled_from(ATTACKS))


@settings(max_examples=400, deadline=None)
@given(st.lists(pieces, max_size=8), st.sampled_from(["", "\n", "\n\n", " "]))
def test_nothing_the_sanitiser_removes_survives_any_mix_of_text_and_attacks(parts, glue):
    rendered = render(glue.join(parts))
    for html in (rendered.body_html, rendered.preview_html):
        assert_safe(html)
        assert "<script" not in html.lower()  # as text it would read &lt;script
