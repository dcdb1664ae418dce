import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import connection, models, transaction
from django.db.models import F, Min, Prefetch, Q, prefetch_related_objects
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

from publication.signals import UpdateSignallingQuerySet

from . import images, rendering, share
from .images import HERO_WIDTHS, PORTRAIT_WIDTHS, Picture, picture, validate_image_upload

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SharePicture:
    url: str  # relative to the site, as storage gives it
    width: int
    height: int
    alt: str


def validate_link_lines(value: str) -> None:
    check = URLValidator(schemes=["http", "https"])
    for line in value.splitlines():
        if line.strip():
            try:
                check(line.strip())
            except ValidationError:
                raise ValidationError(
                    "“%(line)s” is not a web address. Put one address per line, "
                    "starting with https://.",
                    code="invalid_link",
                    params={"line": line.strip()[:100]},
                ) from None


class Contributor(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    role_line = models.CharField(
        max_length=300,
        blank=True,
        help_text="Shown under the name in every byline, e.g. “Semiconductor Analyst”.",
    )
    bio = models.TextField(
        blank=True, max_length=3000, help_text="Plain text for the profile page."
    )
    portrait = models.ImageField(
        upload_to="portraits/",
        blank=True,
        validators=[validate_image_upload],
        help_text="A square JPEG, PNG or WebP works best. Location and camera data are removed.",
    )
    portrait_renditions = models.JSONField(default=list, editable=False)
    links = models.TextField(
        blank=True,
        max_length=2000,
        validators=[validate_link_lines],
        help_text="Web addresses shown on the profile, one per line.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributor",
        help_text="The contributor's own account, if they have one.",
    )

    objects = UpdateSignallingQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        with images.new_picture(self, "portrait", "portrait_renditions", PORTRAIT_WIDTHS):
            super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:contributor-detail", kwargs={"slug": self.slug})

    def clean_fields(self, exclude=None) -> None:
        super().clean_fields(exclude=exclude)
        images.encodes(self, "portrait", PORTRAIT_WIDTHS, exclude)

    @property
    def portrait_picture(self) -> Picture | None:
        return picture(self.portrait_renditions)

    @property
    def link_urls(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class Topic(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True, max_length=1000)

    objects = UpdateSignallingQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:topic-detail", kwargs={"slug": self.slug})


# What search looks in: the text readers see (rendered, so never an editor's HTML comment
# or a link's address): everyone's free text, and the whole post for those who may read it.
# On PostgreSQL each post keeps both as tsvector columns, kept up to date by a trigger on
# every write however it is made, and indexed (migration 0007): a match is then read, not
# computed again from the whole text of every candidate.
SEARCH_CONFIG = "english"
# Search ranks only the newest this many matches: a word found in every post costs no more.
SEARCH_CANDIDATES = 500


# Kept for search alone: as long as the text they index.
SEARCH_VECTORS = ["free_text_vector", "full_text_vector", "heading_vector"]
# Most of a row's bytes, which cards and lists never show.
LONG_TEXTS = [
    "body",
    "body_html",
    "body_text",
    "preview_html",
    "preview_text",
    *SEARCH_VECTORS,
]


class ArticleQuerySet(UpdateSignallingQuerySet):
    def update(self, **kwargs) -> int:
        """A bulk write moves the posts' revision on, as save() does, and a new Markdown
        body is rendered again, post by post, as save() renders it."""
        kwargs.setdefault("updated_at", timezone.now())
        with transaction.atomic(using=self.db):
            rerender = list(self.values_list("pk", flat=True)) if "body" in kwargs else []
            rows = super().update(**kwargs)
            for article in Article.objects.filter(pk__in=rerender):
                article.save(update_fields=RENDERED_FIELDS)
        return rows

    def published(self) -> "ArticleQuerySet":
        """Posts the public may see: not drafts, and their publish time has come."""
        return self.filter(
            status__in=Article.LIVE_STATUSES,
            publish_at__lte=timezone.now(),
        )

    def next_to_come_out(self) -> datetime | None:
        """When the next post scheduled to come out will, if one is."""
        coming = self.filter(status__in=Article.LIVE_STATUSES, publish_at__gt=timezone.now())
        return coming.aggregate(first=Min("publish_at"))["first"]

    def search(self, query: str, *, readable: Q) -> "ArticleQuerySet":
        """Posts matching the query in the text this reader may read of each.

        A post the reader may read whole is matched on its whole text, any other on
        its free text alone, so every reader's query means the same (`-word` leaves
        out a post whose whole text has the word, for whoever reads it whole).

        On PostgreSQL: web-search syntax on the stored vectors, through their GIN
        indexes, the newest SEARCH_CANDIDATES matches ranked by title and standfirst.
        Elsewhere: every word as a substring, newest first.
        """
        if connection.vendor == "postgresql":
            search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
            matched = Q(full_text_vector=search_query)
            if readable:  # an empty rule (staff) reads everything whole
                matched = (readable & matched) | (~readable & Q(free_text_vector=search_query))
            candidates = self.filter(matched).order_by("-publish_at").values("pk")
            candidates = candidates[:SEARCH_CANDIDATES]
            return (
                self.filter(pk__in=candidates)
                .annotate(rank=SearchRank(F("heading_vector"), search_query))
                .order_by("-rank", "-publish_at")
            )
        matches = self
        for word in query.split():
            in_free_text = Q()
            for field in ["title", "dek", "preview_text"]:
                in_free_text |= Q(**{f"{field}__icontains": word})
            matches = matches.filter(in_free_text | (readable & Q(body_text__icontains=word)))
        return matches

    def for_display(self) -> "ArticleQuerySet":
        """What every card and page shows of a post: its byline and its package, if any."""
        return self.select_related("minimum_tier").prefetch_related(BYLINES)

    def without_long_texts(self) -> "ArticleQuerySet":
        """Leave out the texts a card never shows: they are most of a row's bytes."""
        return self.defer(*LONG_TEXTS)

    def for_cards(self) -> "ArticleQuerySet":
        return self.for_display().without_long_texts()


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"

    # Not drafts: public once their publish time has come.
    LIVE_STATUSES = (Status.SCHEDULED, Status.PUBLISHED)

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Everyone"
        MEMBERS = "members", "Members only"
        TIER = "tier", "Members of a package and above"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True, help_text="The post's web address.")
    dek = models.TextField(
        "standfirst",
        max_length=600,
        blank=True,
        help_text="The paragraph under the title. Also the summary in search results and feeds.",
    )
    body = models.TextField(
        blank=True,
        help_text="Markdown. Pull quotes stand after the blocks chosen for them below; a "
        "picture uploaded below shows where a line says <code>![](picture:short-name)</code>. "
        "For a "
        "members-only post, a line <code>&lt;!--members-only--&gt;</code> ends the free "
        "preview (the same marker as Ghost); without it the preview is the first "
        "paragraphs.",
    )
    body_html = models.TextField(editable=False, default="")
    body_text = models.TextField(editable=False, default="")  # what readers read, for search
    # Set by PostgreSQL (migrations 0007, 0010) from title, standfirst and preview or whole
    # text; and the title and standfirst weighted, by which search ranks its matches.
    free_text_vector = SearchVectorField(null=True, editable=False)
    full_text_vector = SearchVectorField(null=True, editable=False)
    heading_vector = SearchVectorField(null=True, editable=False)
    preview_html = models.TextField(editable=False, default="")
    preview_text = models.TextField(editable=False, default="")
    reading_minutes = models.PositiveSmallIntegerField(editable=False, default=1)
    hero_image = models.ImageField(
        "picture",
        upload_to="heroes/",
        blank=True,
        validators=[validate_image_upload],
        help_text="Shown above the post, at least 1600 pixels wide. Location and camera data "
        "are removed.",
    )
    hero_alt = models.CharField(
        "picture description",
        max_length=250,
        blank=True,
        help_text="What the picture shows, for readers who cannot see it.",
    )
    hero_credit = models.CharField("picture credit", max_length=200, blank=True)
    hero_renditions = models.JSONField(default=list, editable=False)
    # What search results and link previews say, where it should differ from the page.
    search_title = models.CharField(
        max_length=200,
        blank=True,
        help_text="Shown in search results and link previews "
        "instead of the title. Leave empty to use the title.",
    )
    search_description = models.CharField(
        max_length=300,
        blank=True,
        help_text="Shown in search results and link previews "
        "instead of the standfirst. Leave empty to use the standfirst.",
    )
    contributors = models.ManyToManyField(
        Contributor, through="Byline", related_name="articles", blank=True
    )
    topics = models.ManyToManyField(Topic, related_name="articles", blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        "publish time",
        null=True,
        blank=True,
        help_text="A scheduled post goes public at this time. Left empty, publishing uses now.",
    )
    visibility = models.CharField(
        "who may read it",
        max_length=10,
        choices=Visibility,
        default=Visibility.PUBLIC,
        help_text="Everyone else reads the preview and meets the “apply to join” gate.",
    )
    minimum_tier = models.ForeignKey(
        "members.Tier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For “members of a package and above”: the lowest package that includes it.",
    )
    email_when_published = models.BooleanField(
        "email it when it is published",
        default=False,
        help_text="Send it as a letter to the members whose package includes it, once it "
        "goes public (at its publish time, for a scheduled post).",
    )
    featured = models.BooleanField(
        default=False, help_text="The newest featured post leads the front page."
    )
    staff_note = models.TextField(
        "note for staff",
        blank=True,
        max_length=2000,
        help_text="Never shown to readers: what staff should know of this post.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(visibility="tier") | Q(minimum_tier__isnull=False),
                name="article_tier_visibility_names_a_tier",
                violation_error_message="Choose the lowest package that includes it.",
            )
        ]
        indexes = [
            models.Index(fields=["-publish_at", "status"], name="article_publish_at_status"),
            models.Index(
                fields=["-publish_at"], condition=Q(featured=True), name="article_featured"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.settle_publishing()
        self.render_body()
        with images.new_picture(self, "hero_image", "hero_renditions", HERO_WIDTHS):
            super().save(*args, **kwargs)
        # Drawn once the save commits, if it needs drawing, so no visitor waits for it.
        transaction.on_commit(lambda: self.share_picture, using=kwargs.get("using"))

    def get_absolute_url(self) -> str:
        return reverse("articles:article-detail", kwargs={"slug": self.slug})

    def clean_fields(self, exclude=None) -> None:
        super().clean_fields(exclude=exclude)
        images.encodes(self, "hero_image", HERO_WIDTHS, exclude)

    def clean(self) -> None:
        if self.status == self.Status.SCHEDULED and not self.publish_at:
            raise ValidationError({"publish_at": "Choose when this scheduled post goes public."})
        if self.hero_image and not self.hero_alt.strip():
            raise ValidationError(
                {"hero_alt": "Describe the picture for readers who cannot see it."}
            )
        misplaced = rendering.misplaced_markers(self.body)
        if misplaced and self.visibility != self.Visibility.PUBLIC:
            message = ValidationError(
                "The members-only marker at %(places)s cannot end the free preview there, "
                "so the post would be cut after its first paragraphs instead. Put "
                "<!--members-only--> on a line of its own, not indented or quoted, with a "
                "blank line before and after.",
                code="misplaced_marker",
                params={"places": ", ".join(misplaced)},
            )
            raise ValidationError({"body": message})

    def settle_publishing(self) -> None:
        """What a save settles before it writes (a bulk write calls it itself): a published
        post without a time goes out now, and only a post for a package names one."""
        if self.status == self.Status.PUBLISHED and not self.publish_at:
            self.publish_at = timezone.now()
        if self.visibility != self.Visibility.TIER:
            self.minimum_tier = None

    def render_body(self) -> None:
        """Derive the HTML of the body, and of its free preview, from the Markdown."""
        quotes = list(self.pull_quotes.all()) if self.pk else []
        pictures = self.body_pictures.all() if self.pk else []
        rendered = rendering.render(
            self.body,
            [quote.as_quote() for quote in quotes],
            {picture.name: picture.as_shown() for picture in pictures},
            preview_paragraphs=settings.MEMBERS_PREVIEW_PARAGRAPHS,
        )
        for name, value in rendering.stored_fields(rendered).items():
            setattr(self, name, value)
        # An edit above a quote's block moves it: where each stands now, for when it is gone.
        PullQuote.objects.record_places(zip(quotes, rendered.places, strict=True))

    def with_byline_and_topics(self) -> "Article":
        """Fetch its byline (with the contributors) and topics, where no list prefetched them."""
        prefetch_related_objects([self], BYLINES, "topics")
        return self

    @property
    def is_public_now(self) -> bool:
        return (
            self.status in self.LIVE_STATUSES
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )

    @property
    def hero_picture(self) -> Picture | None:
        return picture(self.hero_renditions)

    @property
    def share_picture(self) -> SharePicture:
        """The picture link previews and search results show: the hero picture, or a card."""
        if self.hero_picture:
            widest = self.hero_renditions[-1]
            return SharePicture(
                default_storage.url(widest["name"]),
                widest["width"],
                widest["height"],
                self.hero_alt,
            )
        names = [byline.contributor.name for byline in self.bylines.all()] if self.pk else []
        card = share.Card(self.title, share.byline(names))
        try:
            stored = card.names()
        except OSError:  # storage full or unwritable: the page must not fail for it
            logger.warning("The share picture of post %s could not be drawn", self.pk)
            return SharePicture(static(share.LOGO), *share.LOGO_SIZE, settings.PUBLICATION_NAME)
        width, height = share.SIZE
        return SharePicture(default_storage.url(stored["png"]), width, height, self.title)

    @property
    def audience(self) -> str:
        """Who may read it in full, as its badge says: empty for a public post."""
        if self.visibility == self.Visibility.TIER:
            return f"{self.minimum_tier.name} members"
        if self.visibility == self.Visibility.MEMBERS:
            return "Members only"
        return ""


class Byline(models.Model):
    """A contributor credited on a post, in the order the byline names them."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    contributor = models.ForeignKey(Contributor, on_delete=models.PROTECT, related_name="bylines")
    order = models.PositiveSmallIntegerField(default=0)

    objects = UpdateSignallingQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "contributor"],
                name="byline_unique_contributor_per_article",
                violation_error_message="This contributor is already on the byline.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contributor} on {self.article}"


RENDERED_FIELDS = [
    "body_html",
    "body_text",
    "preview_html",
    "preview_text",
    "reading_minutes",
    "updated_at",
]

# Each post's byline with its contributors, in one query for a whole list of posts.
BYLINES = Prefetch("bylines", queryset=Byline.objects.select_related("contributor"))


class PullQuoteQuerySet(models.QuerySet):
    """Pull quotes are rendered into their posts' bodies: a bulk write renders them again."""

    def update(self, **kwargs) -> int:
        with transaction.atomic(using=self.db):
            articles = self.article_ids()
            rows = super().update(**kwargs)
            self.render_again(articles)
        return rows

    def delete(self) -> tuple[int, dict[str, int]]:
        with transaction.atomic(using=self.db):
            articles = self.article_ids()
            deleted = super().delete()
            self.render_again(articles)
        return deleted

    def article_ids(self) -> list[int]:
        return list(self.order_by().values_list("article_id", flat=True).distinct())

    def record_places(self, places: Iterable[tuple["PullQuote", int]]) -> None:
        """Write where each quote stands now (its `position`), where that moved. The body
        is rendered with them already: nothing is rendered again."""
        for quote, place in places:
            if place != quote.position:
                super(PullQuoteQuerySet, self.filter(pk=quote.pk)).update(position=place)

    @staticmethod
    def render_again(article_ids: list[int]) -> None:
        for article in Article.objects.filter(pk__in=article_ids):
            article.save(update_fields=RENDERED_FIELDS)


class RenderedIntoItsPost(models.Model):
    """A part of a post's body kept in a row of its own (a pull quote, a picture): its
    post's body is rendered again once it is saved or deleted."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        self.article.save(update_fields=RENDERED_FIELDS)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.article.save(update_fields=RENDERED_FIELDS)
        return result


class PullQuote(RenderedIntoItsPost):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="pull_quotes")
    text = models.TextField(max_length=600)
    attribution = models.CharField(
        max_length=300, help_text="Shown after a dash, e.g. “Umee's Brent Xu wrote for Coindesk”."
    )
    source_url = models.URLField("source", blank=True, help_text="Optional link to the source.")
    # Where it stands: after the block of the body whose key (rendering.block_key) it
    # names, so an edit above moves it with its block. `position` is where it last stood,
    # counted in blocks: it stands there while its block is gone (the admin says so), and
    # places a quote that names no block (0: before the first).
    after_block = models.CharField(max_length=24, blank=True, default="")
    position = models.PositiveSmallIntegerField(default=0)

    objects = PullQuoteQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:60]

    def save(self, *args, **kwargs) -> None:
        self.settle_place()
        super().save(*args, **kwargs)

    def settle_place(self) -> None:
        """Name the block it stands after, where only a count of blocks was given (the
        demo, an import); count the blocks before the block it names."""
        body = rendering.parse_body(self.article.body)
        if not self.after_block and self.position and body.keys:
            self.after_block = body.keys[min(self.position, len(body.keys)) - 1]
        self.position = body.place_of(self.as_quote())

    def as_quote(self) -> rendering.Quote:
        return rendering.Quote(
            self.text, self.attribution, self.source_url, self.position, self.after_block
        )


class BodyPicture(RenderedIntoItsPost):
    """A picture uploaded with a post and shown in its body, where the Markdown names it:
    ![](picture:harbour). Checked, cleaned and made in widths as the post's own picture."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="body_pictures")
    name = models.SlugField(
        "short name",
        max_length=60,
        help_text="Put the picture in the body with <code>![](picture:short-name)</code>, "
        "on a line of its own.",
    )
    image = models.ImageField(
        "picture",
        upload_to="body/",
        validators=[validate_image_upload],
        help_text="A JPEG, PNG, WebP or GIF. Location and camera data are removed.",
    )
    alt = models.CharField(
        "description",
        max_length=250,
        help_text="What the picture shows, for readers who cannot see it. Text in the "
        "brackets of <code>![…](picture:short-name)</code> is used instead, if there is any.",
    )
    renditions = models.JSONField(default=list, editable=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "name"],
                name="body_picture_unique_name_per_article",
                violation_error_message="This post already has a picture with this short name.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        with images.new_picture(self, "image", "renditions", HERO_WIDTHS):
            super().save(*args, **kwargs)

    def clean_fields(self, exclude=None) -> None:
        super().clean_fields(exclude=exclude)
        images.encodes(self, "image", HERO_WIDTHS, exclude)

    def as_shown(self) -> tuple[Picture, str]:
        return picture(self.renditions), self.alt
