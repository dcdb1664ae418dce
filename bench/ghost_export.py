"""Write a Ghost 5 export of N posts (default 10,000) for timing `import_ghost`:
python bench/ghost_export.py 10000 > /tmp/ghost.json (tests/ghost imports a few hundred)."""

import json
import random
import sys

PARAGRAPH = (
    "<p>Regulators, founders and readers argue about {topic} in ways that repeat the last "
    'decade\'s arguments, with <a href="https://example.org/{n}">new sources</a> and '
    "<strong>old habits</strong>. Paragraph {k} of post {n}.</p>"
)


def post(n: int, rng: random.Random) -> dict:
    blocks = [
        PARAGRAPH.format(topic=rng.choice(["markets", "policy", "AI"]), n=n, k=k) for k in range(12)
    ]
    visibility = rng.choice(["public", "public", "members", "paid", "tiers"])
    if visibility != "public":
        blocks.insert(3, "<!--members-only-->")
    if n % 5 == 0:
        blocks.insert(
            2,
            '<blockquote class="kg-blockquote-alt">A line worth quoting.<br>— Someone</blockquote>',
        )
    if n % 7 == 0:
        blocks.append(
            '<div class="kg-card kg-callout-card"><div class="kg-callout-text">Note.</div></div>'
        )
    return {
        "id": f"p{n}",
        "uuid": f"u{n}",
        "title": f"Post number {n}",
        "slug": f"post-{n}",
        "html": "".join(blocks),
        "lexical": "{}",
        "mobiledoc": None,
        "feature_image": None,
        "featured": int(n % 50 == 0),
        "type": "post",
        "status": "published",
        "visibility": visibility,
        "created_at": "2024-01-01T00:00:00.000Z",
        "updated_at": "2024-01-01T00:00:00.000Z",
        "published_at": f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00.000Z",
        "custom_excerpt": f"The standfirst of post {n}.",
    }


def export(count: int) -> dict:
    rng = random.Random(1)  # noqa: S311 - the same made-up export every run
    posts = [post(n, rng) for n in range(count)]
    data = {
        "posts": posts,
        "posts_meta": [],
        "tags": [
            {"id": f"t{n}", "name": f"Topic {n}", "slug": f"topic-{n}", "visibility": "public"}
            for n in range(20)
        ],
        "posts_tags": [
            {"id": f"pt{p['id']}", "post_id": p["id"], "tag_id": f"t{n % 20}", "sort_order": 0}
            for n, p in enumerate(posts)
        ],
        "users": [
            {"id": f"u{n}", "name": f"Writer {n}", "slug": f"writer-{n}", "bio": "Staff writer."}
            for n in range(10)
        ],
        "posts_authors": [
            {"id": f"pa{p['id']}", "post_id": p["id"], "author_id": f"u{n % 10}", "sort_order": 0}
            for n, p in enumerate(posts)
        ],
        "products": [
            {
                "id": "gold",
                "name": "Gold",
                "slug": "gold",
                "type": "paid",
                "monthly_price": 500,
                "yearly_price": 5000,
                "currency": "usd",
            },
            {
                "id": "plat",
                "name": "Platinum",
                "slug": "platinum",
                "type": "paid",
                "monthly_price": 2000,
                "yearly_price": 20000,
                "currency": "usd",
            },
        ],
        "posts_products": [
            {"id": f"pp{p['id']}", "post_id": p["id"], "product_id": "plat"}
            for p in posts
            if p["visibility"] == "tiers"
        ],
    }
    return {"db": [{"meta": {"exported_on": 0, "version": "5.82.1"}, "data": data}]}


if __name__ == "__main__":
    json.dump(export(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000), sys.stdout)
