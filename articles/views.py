from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import Count, Q, QuerySet, Window
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from members import access
from publication.answers import CachedAnswer
from publication.context_processors import site_urls

from . import cards
from .listing import Listed, Listing, answer_lifetime, listed
from .metadata import absolute, article_structured_data, logo_url, site_structured_data
from .models import SEARCH_VECTORS, Article, Byline, Contributor, Topic
from .pagination import UncountedPage, UncountedPaginator


def by_slug(queryset: QuerySet, slug: str):
    """The row of `queryset` with this slug, as the queryset reads it: cached whole in Redis
    (publication/answers.py), else from the database; 404 if there is none.

    Cached whole, so whatever in it decides access always comes with the text it lets
    through: a lost invalidation serves the row as it was, decision and text together,
    for PAGE_CACHE_SECONDS at most. Each request unpickles an instance of its own.
    """
    answer = CachedAnswer("row", queryset.model._meta.label, slug)
    return answer.get_or_set(lambda: get_object_or_404(queryset, slug=slug))


class ArticleListView(ListView):
    """A paginated list of published posts, newest first (articles/listing.py), as cards
    (articles/cards.py)."""

    context_object_name = "articles"
    paginator_class = UncountedPaginator
    empty_message = "Nothing published here yet."

    def get_paginate_by(self, queryset: Listing | QuerySet[Article]) -> int:
        return settings.ARTICLES_PER_PAGE

    def get_queryset(self) -> Listing:
        return Listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        if page is None:  # a search stopped for taking too long: nothing to list
            return {**context, "featured": None, "lead_card": None, "listed": ""}
        lead = self.lead(page)
        query = getattr(self, "query", "")
        lead_card, listed = cards.rendered_list(
            list(page.object_list), page, lead=lead, query=query, empty=self.empty_message
        )
        return {**context, "featured": lead, "lead_card": lead_card, "listed": listed}

    def lead(self, page) -> Listed | None:
        return None


class FrontPageView(ArticleListView):
    template_name = "articles/front_page.html"

    def get_queryset(self) -> Listing:
        return Listing(lead=True)

    def lead(self, page) -> Listed | None:
        """The featured story leads the first page only (and is on no other)."""
        return self.object_list.lead if page.number == 1 else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        number = context["page_obj"].number
        home = absolute(site_urls()["home"])
        return {
            **context,
            "canonical_url": home if number == 1 else f"{home}?page={number}",
            # Called only where the page's cached meta misses (front_page.html).
            "logo_url": logo_url,
            "structured_data": site_structured_data,
        }


class ArticleDetailView(DetailView):
    context_object_name = "article"

    def get_object(self, queryset=None) -> Article:
        # One row decides who may read the post (its status, visibility and package) and
        # holds the texts the gate lets through (body_html, preview_html): the decision
        # and the text always come from the same snapshot. Only the Markdown source and
        # the search vectors, which no page shows, are left out.
        posts = Article.objects.select_related("minimum_tier").defer(
            "body", "body_text", "preview_text", *SEARCH_VECTORS
        )
        article = by_slug(posts, self.kwargs["slug"])
        # Staff preview drafts and scheduled posts at the address they will have.
        if not (article.is_public_now or self.request.user.is_staff):
            raise Http404("No post here.")
        return article

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["structured_data"] = partial(article_structured_data, self.object)
        return context


class ContributorDetailView(ArticleListView):
    template_name = "articles/contributor_detail.html"
    empty_message = "No posts published yet."

    def get_queryset(self) -> Listing:
        self.contributor = by_slug(Contributor.objects.all(), self.kwargs["slug"])
        return Listing(linked_by=(Byline, "contributor", self.contributor.pk))

    def get_context_data(self, **kwargs):
        return super().get_context_data(contributor=self.contributor, **kwargs)


class TopicDetailView(ArticleListView):
    template_name = "articles/topic_detail.html"
    empty_message = "No posts on this topic yet."

    def get_queryset(self) -> Listing:
        self.topic = by_slug(Topic.objects.all(), self.kwargs["slug"])
        return Listing(linked_by=(Article.topics.through, "topic", self.topic.pk))

    def get_context_data(self, **kwargs):
        return super().get_context_data(topic=self.topic, **kwargs)


class TopicListView(ListView):
    """Every topic, with how many posts it has out."""

    template_name = "articles/topic_list.html"
    context_object_name = "topics"

    def get_queryset(self) -> QuerySet[Topic]:
        out = Q(articles__in=Article.objects.published())
        return Topic.objects.annotate(posts=Count("articles", filter=out)).order_by("name")


class ContributorListView(ListView):
    """The contributors with posts out, by name, with how many."""

    template_name = "articles/contributor_list.html"
    context_object_name = "contributors"
    paginate_by = 60

    def get_queryset(self) -> QuerySet[Contributor]:
        out = Q(bylines__article__in=Article.objects.published())
        return (
            Contributor.objects.annotate(posts=Count("bylines", filter=out))
            .filter(posts__gt=0)
            .only("name", "slug", "role_line")
            .order_by("name", "pk")
        )


class SearchView(ArticleListView):
    """Search, answered within SEARCH_TIMEOUT_MS: past it, the reader is asked for more words."""

    template_name = "articles/search.html"
    empty_message = "No posts match those words. Try fewer or different words."
    max_query_length = 200

    def get_queryset(self) -> QuerySet[Article]:
        self.query = self.request.GET.get("q", "").strip()[: self.max_query_length]
        # The search itself is built only on a miss of its cached answer (paginate_queryset).
        return Article.objects.none()

    def matches(self, reader: access.Reader) -> QuerySet[Article]:
        # Each row says how many match (at most SEARCH_CANDIDATES): the page's query counts
        # them, rather than a second query finding them all again. Only what the cards
        # are cached under: cards() fetches the posts it has to render.
        published = Article.objects.published().only("pk", "updated_at")
        matches = published.search(self.query, readable=access.readable(reader))
        return matches.annotate(matches=Window(Count("pk")))

    def paginate_queryset(self, queryset, page_size):
        self.too_broad = False
        if not self.query:
            return super().paginate_queryset(queryset, page_size)
        reader = access.reader_for(self.request)
        rule = access.readable_key(reader)
        results = CachedAnswer("search", rule, self.request.GET.get("page", "1"), self.query)
        if found := results.get():
            posts, number, count, more = found
            paginator = self.get_paginator(queryset, page_size)
            paginator.count = count
            page = UncountedPage(posts, number, paginator, more=more)
            return paginator, page, page.object_list, page.has_other_pages()
        queryset = self.matches(reader)
        try:
            with search_settings(settings.SEARCH_TIMEOUT_MS):
                paginator, page, articles, more = super().paginate_queryset(queryset, page_size)
                matched = list(articles)  # run here, under the time limit
                paginator.count = matched[0].matches if matched else 0
                page.object_list = listed(matched)
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) != QUERY_CANCELED:
                raise
            self.too_broad = True
            return None, None, [], False
        found = (page.object_list, page.number, paginator.count, page.has_next())
        results.set(found, answer_lifetime)
        return paginator, page, page.object_list, more

    def get_context_data(self, **kwargs):
        context = super().get_context_data(query=self.query, **kwargs)  # paginates
        return {**context, "too_broad": self.too_broad}


QUERY_CANCELED = "57014"  # PostgreSQL's code for a statement stopped by statement_timeout


@contextmanager
def search_settings(milliseconds: int) -> Iterator[None]:
    """On PostgreSQL, stop the statements inside after `milliseconds` (0: never), and plan
    each for its own words: a search's best plan depends on them, and the one generic plan
    PostgreSQL may settle on for a prepared statement scans every post. Elsewhere,
    nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, true),"
            " set_config('plan_cache_mode', 'force_custom_plan', true)",
            [str(milliseconds)],
        )
        yield
