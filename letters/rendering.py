"""The letter as each recipient receives it: made from the post's stored HTML (its whole
body, or its free preview and the gate's wording), with the CSS inlined, then given
each recipient's own unsubscribe link.

Each batch of emails reads its post as it is when a worker claims the batch
(letters/delivery.py), and the gate decides on that: a retry or a send made again
after a post is restricted gives each reader what the gate gives then. What a worker
caches of a letter is keyed by the post's revision (articles/revisions.py) and the
decision, so no recipient costs a rendering of their own and none gets a letter made
from another revision.
"""

import hashlib
import html
import re
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.urls import reverse

from articles.feeds import absolute_links
from articles.metadata import absolute
from articles.models import Article
from articles.rendering import without_heading_anchors
from members.access import Access
from members.emails import publication_context

# Where each recipient's own unsubscribe address goes: replaced as each email is made.
UNSUBSCRIBE_MARK = "https://unsubscribe.invalid/"


@cache
def inliner():
    """Styles go inline for the clients that drop <style>; the media queries (phones, dark
    mode) stay in a <style> for the clients that read them. Imported when a letter is first
    made, not in every web worker that never makes one (2.3 MB of each worker's memory)."""
    import css_inline

    return css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


@dataclass(frozen=True)
class Letter:
    html: str
    text: str

    def to(self, unsubscribe_url: str) -> tuple[str, str]:
        return (
            self.html.replace(UNSUBSCRIBE_MARK, unsubscribe_url),
            self.text.replace(UNSUBSCRIBE_MARK, unsubscribe_url),
        )


def site_context() -> dict:
    """What every email says of the publication, and the addresses the gate's words link to."""
    site = settings.SITE_URL
    return {
        **publication_context(),
        "site_urls": {
            "packages": site + reverse("members:packages"),
            "apply": site + reverse("members:apply"),
            "login": site + reverse("account_login"),
        },
        "account_url": site + reverse("members:account"),
        "unsubscribe_url": UNSUBSCRIBE_MARK,
    }


LETTER_SECONDS = 60 * 60


def post_letter(article: Article, access: Access) -> Letter:
    """The letter of a post at its revision for one decision, made once per worker."""
    key = cache_key("letter", article.pk, article.updated_at.isoformat(), repr(access))
    return caches["fragments"].get_or_set(
        key, lambda: letter_of(article.with_byline_and_topics(), access), LETTER_SECONDS
    )


def cache_key(kind: str, *words: object) -> str:
    """A fragment's key under everything it shows, hashed: reprs hold spaces."""
    return f"{kind}:" + hashlib.sha256(repr(words).encode()).hexdigest()


def letter_of(article: Article, access: Access) -> Letter:
    """A post as a letter: the whole of it, or its preview and the gate's wording."""
    post_url = settings.SITE_URL + article.get_absolute_url()
    # Addresses in a post are written for its page; an email needs them whole.
    shown = article.body_html if access.allowed else article.preview_html
    body = absolute_links(without_heading_anchors(shown), post_url)
    context = {
        **site_context(),
        "subject": article.title,
        "article": article,
        "post_url": post_url,
        "hero": hero(article),
        "body": body,
        "body_text": text_of(body),
        "access": access,
    }
    return made("letters/email/post", context)


def weekly_letter(letter) -> Letter:
    """The weekly letter with its posts as they are now, made once per worker for them at
    their revisions: the same for everyone, since its cards show no members' text."""
    from .weekly import posts_for

    posts = posts_for(letter)
    revisions = [(post.pk, post.updated_at.isoformat()) for post in posts]
    key = cache_key("weekly-letter", letter.pk, revisions)
    return caches["fragments"].get_or_set(
        key, lambda: weekly_letter_of(letter, posts), LETTER_SECONDS
    )


def weekly_letter_of(letter, posts: list[Article] | None = None) -> Letter:
    from .weekly import SUBJECT, posts_for

    subject = SUBJECT.format(publication_name=settings.PUBLICATION_NAME)
    context = {
        **site_context(),
        "subject": subject,
        "letter": letter,
        "posts": [
            (post, settings.SITE_URL + post.get_absolute_url())
            for post in (posts_for(letter) if posts is None else posts)
        ],
    }
    return made("letters/email/weekly", context)


def made(template: str, context: dict) -> Letter:
    page = render_to_string(f"{template}.html", context)
    return Letter(
        html=inliner().inline(page),
        text=render_to_string(f"{template}.txt", context).strip() + "\n",
    )


def hero(article: Article) -> dict | None:
    """The widest rendition up to twice the letter's width, shown 600 px wide."""
    renditions = [r for r in article.hero_renditions or [] if r["width"] <= 1200]
    if not renditions:
        return None
    widest = renditions[-1]
    return {
        "url": absolute(default_storage.url(widest["name"])),
        "width": 600,
        "height": round(600 * widest["height"] / widest["width"]),
        "alt": article.hero_alt,
    }


BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|figure|figcaption|pre|tr)>|<br\s*/?>|<hr\s*/?>")
LINK = re.compile(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', re.S)


def text_of(body: str) -> str:
    """The plain-text alternative of stored HTML: blocks as paragraphs, links spelled out."""
    body = LINK.sub(lambda m: f"{m[2]} ({m[1]})" if m[1] != m[2] else m[1], body)
    body = re.sub(r"<li[^>]*>", "- ", body)
    body = re.sub(r"<h[1-6][^>]*>", "\n## ", body)
    body = BLOCK_END.sub("\n\n", body)
    text = html.unescape(re.sub(r"<[^>]+>", "", body))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
