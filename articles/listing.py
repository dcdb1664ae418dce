"""What a list page shows: its posts' ids and revisions, in one statement written once.

That is all a list page asks of the database: the cards are kept under each post's
revision (articles/cards.py), and the answer itself in the shared cache
(articles/kept.py). Django took longer to build the front page's two queries
(its lead story, then the page) than PostgreSQL took to run them: 14% of the page under
py-spy, and a round trip each. Here each kind of list's SQL is made once per process,
and the front page's lead story comes in the same statement as its page.
"""

from functools import cache

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from publication.statements import Selected

from . import kept
from .models import Article

# The listed posts' columns: what the cards are kept under.
POST = Selected(Article, "a", only=("id", "updated_at"))


class Listing:
    """The published posts, newest first, fetched as a paginator slices them.

    `linked_by`: only the posts a link model (a post's topics, its bylines) ties to one
    object, as (the link model, the field naming the object, its pk). `lead`: the newest
    featured post is left out of every page and kept as `self.lead`, as the front page
    wants it.
    """

    ordered = True  # what Paginator checks of the list it is given

    def __init__(self, *, linked_by: tuple[type[Model], str, int] | None = None, lead=False):
        self.link, self.linked = (linked_by[:2], linked_by[2]) if linked_by else (None, None)
        self.leads = lead
        self.lead: kept.Listed | None = None

    def __getitem__(self, page: slice) -> list[kept.Listed]:
        answer = kept.Kept("list", self.leads, self.link, self.linked, page.start, page.stop)
        if (found := answer.get()) is None:
            found = self.rows(page)
            answer.keep(found)
        posts, lead = found
        self.lead = kept.posts(lead)[0] if lead else None
        return kept.posts(posts)

    def rows(self, page: slice) -> tuple[list[tuple], list[tuple]]:
        """The page's posts, and the lead story apart, as kept.rows makes them."""
        now = Article._meta.get_field("publish_at").get_db_prep_value(timezone.now(), connection)
        scheduled, published = Article.LIVE_STATUSES
        with connection.cursor() as cursor:
            cursor.execute(
                statement(self.link, self.leads),
                {
                    "now": now,
                    "scheduled": scheduled.value,
                    "published": published.value,
                    "linked": self.linked,
                    "limit": page.stop - page.start,
                    "offset": page.start,
                },
            )
            rows = cursor.fetchall()
        posts, lead = ([POST.instance(row) for row in rows if row[-1] == n] for n in (0, 1))
        return kept.rows(posts), kept.rows(lead)


@cache
def statement(link: tuple[type[Model], str] | None, lead: bool) -> str:
    """Each row a post's id and revision, its publish time, and last whether it is the
    lead story (first if it is)."""
    quote = connection.ops.quote_name
    live = (
        f"{POST.column('status')} IN (%(scheduled)s, %(published)s)"
        f" AND {POST.column('publish_at')} <= %(now)s"
    )
    if link:
        model, field = link
        article, linked = (quote(model._meta.get_field(name).column) for name in ("article", field))
        table = quote(model._meta.db_table)
        posts_linked = f"SELECT {article} FROM {table} WHERE {linked} = %(linked)s"  # noqa: S608
        live += f" AND {POST.column('id')} IN ({posts_linked})"
    newest = f"ORDER BY {POST.column('publish_at')} DESC, {POST.column('id')} DESC"
    columns = f"{POST.sql()}, {POST.column('publish_at')} AS publish_at"
    if not lead:
        page = f"SELECT {columns}, 0 AS is_lead FROM {POST.table()} WHERE {live} {newest}"  # noqa: S608
        return f"{page} LIMIT %(limit)s OFFSET %(offset)s"
    # The lead story, then the page without it (0 when nothing leads: no post's id; with
    # NOT IN, PostgreSQL guessed that half the posts would go and sorted them all, 90 ms
    # for page 200). Ordered again, as a union's order is not promised: a dozen rows.
    return (
        f"WITH lead_story AS (SELECT {columns}, 1 AS is_lead FROM {POST.table()}"  # noqa: S608
        f" WHERE {live} AND {POST.column('featured')} {newest} LIMIT 1)"
        " SELECT * FROM lead_story UNION ALL SELECT * FROM"
        f" (SELECT {columns}, 0 AS is_lead FROM {POST.table()} WHERE {live}"
        f" AND {POST.column('id')} <> COALESCE((SELECT id FROM lead_story), 0)"
        f" {newest} LIMIT %(limit)s OFFSET %(offset)s) page"
        " ORDER BY is_lead DESC, publish_at DESC, id DESC"
    )
