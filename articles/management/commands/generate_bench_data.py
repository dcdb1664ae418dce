import random
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from articles import rendering
from articles.models import Article, Byline, Contributor, PullQuote, Topic
from members.models import Application, Membership, Tier, User

PREFIX = "bench-"
EMAIL_DOMAIN = "bench.example"
VARIANTS = 24  # distinct bodies, rendered once each and shared
SEARCH_WORDS = [f"quorum{n}" for n in range(200)]
WORDS = (
    "open source models regulators exchange crypto linux markets policy capital labour "
    "innovation community platform inference hardware semiconductor economy history revolution "
    "analysis network protocol governance users software closed scale cost adapt mobility"
).split()


class Command(BaseCommand):
    help = (
        "Fill the database with a large archive for `make bench`: posts, contributors, pull "
        "quotes, waitlist applications and members. Repeatable (--seed); replaces what an "
        "earlier run made and nothing else."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--posts", type=int, default=10_000)
        parser.add_argument("--contributors", type=int, default=200)
        parser.add_argument("--quotes-per-post", type=int, default=5)
        parser.add_argument("--applications", type=int, default=100_000)
        parser.add_argument("--members", type=int, default=5_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="multiply the posts, contributors, "
            "applications and members (make bench SCALE=10: 100,000 posts)",
        )

    def handle(self, *args, **options) -> None:
        for count in ["posts", "contributors", "applications", "members"]:
            options[count] *= options["scale"]
        rng = numbers(options["seed"])
        with transaction.atomic():
            self.remove_earlier()
            tiers = self.tiers()
            topics = self.topics()
            contributors = self.contributors(rng, options["contributors"])
        variants = [self.variant(rng, options["quotes_per_post"]) for _ in range(VARIANTS)]
        # The posts in two halves and the people, each job with numbers of its own, so that
        # the same seed makes the same archive however they run.
        half = options["posts"] // 2
        jobs = [
            partial(
                self.posts,
                numbers(options["seed"] + n),
                which,
                variants,
                contributors,
                topics,
                tiers,
            )
            for n, which in enumerate([range(half), range(half, options["posts"])], start=1)
        ]
        jobs.append(
            partial(
                self.people,
                numbers(options["seed"] + 3),
                options["applications"],
                options["members"],
                tiers,
            )
        )
        if connection.vendor == "postgresql":
            # The posts wait on PostgreSQL (their trigger computes three search vectors a
            # post), the people on Python: run side by side, each in its own thread,
            # connection and transaction, they keep both cores busy.
            with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
                for done in [pool.submit(in_own_transaction, job) for job in jobs]:
                    done.result()
        else:
            with transaction.atomic():
                for job in jobs:
                    job()
        if connection.vendor == "postgresql":
            # Fresh statistics, as a database that has lived a while has: the planner needs them.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"Generated {options['posts']} posts, {options['contributors']} contributors, "
            f"{PullQuote.objects.filter(article__slug__startswith=PREFIX).count()} pull quotes, "
            f"{options['applications']} applications, {options['members']} members."
        )

    def remove_earlier(self) -> None:
        Article.objects.filter(slug__startswith=PREFIX).delete()
        Contributor.objects.filter(slug__startswith=PREFIX).delete()
        Topic.objects.filter(slug__startswith=PREFIX).delete()
        Application.objects.filter(email__endswith="@" + EMAIL_DOMAIN).delete()
        User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).delete()

    def tiers(self) -> list[Tier]:
        names = [("Reader", 1), ("Insider", 2), ("Patron", 3)]
        return [
            Tier.objects.get_or_create(
                slug=slugify(name), defaults={"name": name, "rank": rank, "description": name}
            )[0]
            for name, rank in names
        ]

    def topics(self) -> list[Topic]:
        return Topic.objects.bulk_create(
            Topic(name=f"Bench topic {n}", slug=f"{PREFIX}topic-{n}") for n in range(20)
        )

    def contributors(self, rng: random.Random, count: int) -> list[Contributor]:
        return Contributor.objects.bulk_create(
            Contributor(
                name=f"Writer {n}",
                slug=f"{PREFIX}writer-{n}",
                role_line=f"{rng.choice(WORDS).title()} analyst",
                bio=self.sentence(rng, 30),
            )
            for n in range(count)
        )

    def posts(self, rng, which: range, variants, contributors, topics, tiers) -> None:
        now = timezone.now()
        articles = []
        for n in which:
            body, _, rendered = variants[n % VARIANTS]
            visibility, tier = Article.Visibility.PUBLIC, None
            if n % 3 == 0:
                visibility = Article.Visibility.MEMBERS
            if n % 15 == 0:
                visibility, tier = Article.Visibility.TIER, tiers[1 + n % 2]
            # One word in 200 titles is the same, so a search for it finds 1 post in 200.
            title = f"{self.sentence(rng, 7).rstrip('.')} {SEARCH_WORDS[n % len(SEARCH_WORDS)]}"
            articles.append(
                Article(
                    title=title.title(),
                    slug=f"{PREFIX}post-{n}",
                    dek=self.sentence(rng, 30),
                    body=body,
                    **rendered,
                    status=Article.Status.PUBLISHED,
                    publish_at=now - timedelta(hours=n * 4 + 1),
                    visibility=visibility,
                    minimum_tier=tier,
                    featured=n % 1000 == 0,
                )
            )
        write(Article, articles)
        ids = dict(Article.objects.filter(slug__startswith=PREFIX).values_list("slug", "pk"))
        write(
            Byline,
            (
                Byline(article_id=ids[article.slug], contributor=contributor, order=order)
                for article in articles
                for order, contributor in enumerate(rng.sample(contributors, rng.choice([1, 1, 2])))
            ),
        )
        write(
            Article.topics.through,
            (
                Article.topics.through(article_id=ids[article.slug], topic=topic)
                for article in articles
                for topic in rng.sample(topics, rng.choice([1, 2]))
            ),
        )
        write(
            PullQuote,
            (
                PullQuote(
                    article_id=ids[article.slug],
                    text=quote.text,
                    attribution=quote.attribution,
                    position=quote.position,
                )
                for n, article in zip(which, articles, strict=True)
                for quote in variants[n % VARIANTS][1]
            ),
        )

    def variant(self, rng: random.Random, quotes_per_post: int):
        paragraphs = [self.sentence(rng, rng.randint(40, 90)) for _ in range(rng.randint(10, 16))]
        paragraphs.insert(rng.randint(4, 7), "## " + self.sentence(rng, 5).rstrip("."))
        paragraphs.insert(2, rendering.MEMBERS_ONLY_MARKER)
        body = "\n\n".join(paragraphs)
        quotes = [
            rendering.Quote(self.sentence(rng, 20), f"Source {q}", "", rng.randint(1, 12))
            for q in range(quotes_per_post)
        ]
        rendered = rendering.rendered_fields(
            body, quotes, preview_paragraphs=settings.MEMBERS_PREVIEW_PARAGRAPHS
        )
        return body, quotes, rendered

    def people(self, rng, applications, members, tiers) -> None:
        users = [
            # "!" is Django's mark for an unusable password: these members never log in by it.
            User(email=f"member{n}@{EMAIL_DOMAIN}", password="!")  # noqa: S106
            for n in range(members)
        ]
        write(User, users)
        ids = dict(
            User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).values_list("email", "pk")
        )
        now = timezone.now()
        write(
            Membership,
            (
                Membership(user_id=ids[user.email], tier=rng.choice(tiers), started_at=now)
                for user in users
            ),
        )
        reasons = [self.sentence(rng, 20) for _ in range(100)]  # a million made up took 20 s
        statuses = [Application.Status.PENDING] * 6 + [
            Application.Status.APPROVED,
            Application.Status.DECLINED,
        ]
        write(
            Application,
            (
                Application(
                    full_name=f"Applicant {n}",
                    email=f"applicant{n}@{EMAIL_DOMAIN}",
                    organisation=f"Organisation {n % 977}",
                    role="Analyst",
                    tier=rng.choice(tiers),
                    reason=rng.choice(reasons),
                    heard_from=Application.HeardFrom.FRIEND,
                    consent=True,
                    status=rng.choice(statuses),
                )
                for n in range(applications)
            ),
        )

    @staticmethod
    def sentence(rng: random.Random, words: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def numbers(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 (made-up data, not secrets)


def write(model, objects: Iterable) -> None:
    """Write the rows: on PostgreSQL by COPY, each field's value prepared as bulk_create
    prepares it. At scale 10, bulk_create spent most of its time in Python, building and
    parsing statements of thousands of placeholders (1,000,000 applications)."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=5000)
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for row in objects:
            copy.write_row(
                [field.get_db_prep_save(field.pre_save(row, True), connection) for field in fields]
            )


def in_own_transaction(job) -> None:
    """Run in a thread: its connection is its own, and closed when the job is done."""
    try:
        with transaction.atomic():
            job()
    finally:
        connection.close()
