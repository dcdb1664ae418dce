"""A Ghost export into this site, in one transaction: tiers as packages, tags as topics,
authors as contributors, posts with their bylines, topics, pull quotes and paywall,
pages as flat pages, and Ghost's old addresses as redirects.

Every row made is remembered by Ghost's id (ghost.models.Imported) with a digest of what
was written, so a second run of the same export changes nothing, a newer export updates
what changed there, and a row staff edited here since is kept unless `overwrite`. A row
matched to one made here is never changed unless `overwrite` names it.
"""

import hashlib
import json
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, reset_queries, transaction
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from articles import rendering
from articles.images import cleaned, validate_image_upload
from articles.models import Article, Byline, Contributor, PullQuote, Topic
from articles.tasks import draw_share_pictures
from members.models import Tier
from publication import pagecache

from . import validate
from .export import Export
from .members import import_members
from .models import Imported
from .navigation import import_navigation
from .prepare import Prepared, prepared, render

STATUSES = {
    "published": Article.Status.PUBLISHED,
    "draft": Article.Status.DRAFT,
    "scheduled": Article.Status.SCHEDULED,
    "sent": Article.Status.DRAFT,  # sent by email only, never on Ghost's site: not on ours
}
ROLE_LINE_LONGEST = 80
NEW_POSTS_AT_ONCE = 500
GHOST_URL = "__GHOST_URL__/"
# The report says each kind's outcomes in this order.
OUTCOMES = ["created", "updated", "unchanged", "kept as edited here", "matched to one made here"]


class ImportFailed(Exception):
    """What stopped the import, in one line naming the item; nothing was written."""


class DryRun(Exception):
    """Raised at the end of a dry run, so its transaction writes nothing."""


@dataclass
class Report:
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    skipped: list[str] = field(default_factory=list)
    simplified: Counter = field(default_factory=Counter)
    to_check: list[str] = field(default_factory=list)
    missing_pictures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        lines = []
        for kind, counts in self.counts.items():
            ordered = sorted(
                counts.items(),
                key=lambda item: (
                    OUTCOMES.index(item[0]) if item[0] in OUTCOMES else len(OUTCOMES),
                    item[0],
                ),
            )
            said = ", ".join(f"{n} {what}" for what, n in ordered)
            lines.append(f"{kind}: {said}")
        lines += [f"skipped: {why}" for why in self.skipped]
        if self.simplified:
            cards = ", ".join(f"{n} {kind}" for kind, n in sorted(self.simplified.items()))
            lines.append(f"cards simplified: {cards}")
        lines += [f"to check: {what}" for what in self.to_check]
        lines += [f"missing picture: {what}" for what in self.missing_pictures]
        return lines


def active(tier: dict) -> bool:
    return tier.get("active", True) not in (False, 0, "0", "false")


def offered(tier: dict) -> bool:
    """Ghost offers a tier to readers while it is public and active (not archived)."""
    return (tier.get("visibility") or "public") == "public" and active(tier)


def emailed_only(row: dict) -> str:
    if row.get("status") != "sent":
        return ""
    sent = parse_datetime(row.get("published_at") or "")
    when = f" on {sent:%-d %B %Y}" if sent else ""
    return f"Sent by email only in Ghost{when}, never on its site: imported as a draft."


def digest(values: dict) -> str:
    def plain(value):
        if isinstance(value, models.Model):
            return value.pk
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        return value

    text = json.dumps({k: plain(v) for k, v in sorted(values.items())}, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class Importer:
    def __init__(
        self,
        export: Export,
        *,
        members: Path | None = None,
        images: Path | None = None,
        free_members_tier: str | None = None,
        overwrite: bool | set[str] = False,
        dry_run: bool = False,
    ):
        self.export = export
        self.members = members
        self.images = images
        self.free_members_tier = free_members_tier
        self.overwrite = overwrite
        self.dry_run = dry_run
        self.report = Report()
        self.site = None
        self.free_tier: str | None = None  # Ghost's id of its free tier, if it has one
        self.new_posts: list[NewPost] = []  # waiting to be written together
        self.new_slugs: set[str] = set()
        self.post_slugs: list[str] = []  # of the posts imported, for their old addresses
        self.stored: list[str] = []  # picture files written, removed if the run writes nothing

    def run(self) -> Report:
        started = time.perf_counter()
        committed = False
        try:
            with transaction.atomic():
                self.site = Site.objects.get_current()
                tiers = self.import_tiers()
                topics = self.import_tags()
                authors = self.import_authors()
                for post, ready in prepared(
                    self.checked_posts(),
                    self.export.post_count,
                    settings.MEMBERS_PREVIEW_PARAGRAPHS,
                    is_new=self.is_new_here,
                ):
                    self.import_post(post, ready, tiers, topics, authors)
                self.write_new_posts()
                self.old_addresses(topics, authors)
                import_navigation(self.export, self.report, posts=set(self.post_slugs))
                if self.members:
                    import_members(
                        self.members, free_tier=self.free_tier_here(), report=self.report
                    )
                if self.dry_run:
                    raise DryRun
            committed = True
        except DryRun:
            pass
        except validate.Refused as refused:
            raise ImportFailed(str(refused)) from None
        finally:
            if not committed:  # no row points to the pictures stored on the way
                for name in self.stored:
                    default_storage.delete(name)
        self.report.seconds = time.perf_counter() - started
        return self.report

    def checked_posts(self):
        for position, post in enumerate(self.export.posts()):
            yield validate.row("post", position, post)

    def rows(self, kind: str, *tables: str) -> list[dict]:
        return [validate.row(kind, n, row) for n, row in enumerate(self.export.table(*tables))]

    def free_tier_here(self) -> Tier | None:
        if not self.free_members_tier:
            return None
        tier = Tier.objects.filter(slug=self.free_members_tier).first()
        if tier is None:
            raise ImportFailed(
                f"--free-members-tier: no package here has the slug {self.free_members_tier!r}."
            )
        return tier

    # One row, made or found and brought up to date.

    def upsert(self, kind: str, ghost_id: str, model, values: dict, *, match=None, relations=None):
        """The row for this Ghost id: made, updated, left alone, or kept as staff edited it.

        `relations` (a post's byline, topics and pull quotes) count in the comparison and
        are written by `relate` once the row is saved.
        """
        counts = self.report.counts[f"{kind}s"]
        written = digest({**values, "relations": relations})
        mapping = Imported.objects.filter(kind=kind, ghost_id=ghost_id).first()
        row = model.objects.filter(pk=mapping.object_id).first() if mapping else None
        matched = mapping is not None and mapping.matched
        if row is None and match:
            row = model.objects.filter(**match).first()
            matched = row is not None  # made here, not by an import
        if matched and not self.names(kind, row):
            counts["matched to one made here"] += 1
            if mapping is None:  # linked once, and left as it is
                self.remember(kind, ghost_id, row, written, matched=True)
            return row
        if row is None:
            row = model(**values)
            counts["created"] += 1
        elif mapping is not None and written == mapping.written and not matched:
            counts["unchanged"] += 1
            return row
        elif (
            not matched
            and self.state_of(row, values, relations) != mapping.written
            and self.overwrite is not True
            and not self.names(kind, row)
        ):
            counts["kept as edited here"] += 1
            return row
        else:
            for name, value in values.items():
                setattr(row, name, value)
            counts["updated"] += 1
        check(kind, ghost_id, row, values)
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            raise ImportFailed(
                f"{kind} {ghost_id} ({label(values)}): another row here already has its "
                "address or name"
            ) from None
        if relations is not None:
            self.relate(row, relations)
        self.remember(kind, ghost_id, row, written, matched=matched)
        return row

    def names(self, kind: str, row) -> bool:
        """Whether --overwrite names this row: its kind and its slug here (`tier:patron`),
        or a page's address (`page:/about/`)."""
        named = self.overwrite if isinstance(self.overwrite, set) else set()
        return f"{kind}:{getattr(row, 'slug', None) or getattr(row, 'url', '')}" in named

    def state_of(self, row, values: dict, relations) -> str:
        now = {name: getattr(row, name) for name in values}
        return digest({**now, "relations": post_relations(row) if relations is not None else None})

    def remember(self, kind: str, ghost_id: str, row, written: str, *, matched=False) -> None:
        Imported.objects.update_or_create(
            kind=kind,
            ghost_id=ghost_id,
            defaults={"object_id": row.pk, "written": written, "matched": matched},
        )

    def relate(self, article: Article, relations: dict) -> None:
        article.bylines.all().delete()
        Byline.objects.bulk_create(
            Byline(article=article, contributor_id=pk, order=order)
            for order, pk in enumerate(relations["authors"])
        )
        article.topics.set(relations["topics"])
        article.pull_quotes.all().delete()
        if relations["quotes"]:
            PullQuote.objects.bulk_create(
                PullQuote(article=article, **quote) for quote in relations["quotes"]
            )
            article.save()  # rendered again, once, with its pull quotes in place

    # Each kind.

    def import_tiers(self) -> dict[str, Tier]:
        benefits = {b["id"]: b["name"] for b in self.export.table("benefits")}
        linked = self.export.links("products_benefits", "product_id", "benefit_id")
        linked |= self.export.links("tiers_benefits", "tier_id", "benefit_id")
        tiers = {}
        rows = self.rows("tier", "tiers", "products")
        for row in sorted(rows, key=lambda r: r.get("monthly_price") or 0):
            if row.get("type") == "free":
                self.report.skipped.append(f"tier {row['name']}: Ghost's free tier (free members)")
                self.free_tier = row["id"]
                continue
            mapping = Imported.objects.filter(kind="tier", ghost_id=row["id"]).first()
            known = Tier.objects.filter(pk=mapping.object_id).first() if mapping else None
            known = known or Tier.objects.filter(name__iexact=row["name"]).first()
            names = linked.get(row["id"], [])
            values = {
                "name": row["name"][:80],
                "slug": (row.get("slug") or slugify(row["name"]))[:80],
                "description": (row.get("description") or row["name"])[:300],
                "benefits": "\n".join(benefits[b] for b in names if b in benefits)[:2000],
                "monthly_price": (monthly := cents(row.get("monthly_price"))),
                "yearly_price": cents(row.get("yearly_price")),
                "currency": (row.get("currency") or "USD").upper()[:3],
                "is_public": offered(row),
                "rank": known.rank if known else self.room_for(row["name"], monthly, tiers),
            }
            if not offered(row):
                self.report.to_check.append(
                    f"package {row['name']}: {'archived' if not active(row) else 'hidden'} "
                    "in Ghost, so not offered on the packages page"
                )
            tier = self.upsert("tier", row["id"], Tier, values, match={"name__iexact": row["name"]})
            tiers[row["id"]] = tier
        return tiers

    def room_for(self, name: str, monthly: Decimal | None, imported: dict[str, Tier]) -> int:
        """A new package's rank: above every package here costing as much a month or less,
        so it includes them, and below the dearer ones, which move up one to make room.
        Where it stands among packages made here (not by this export) is for staff to check."""
        here = list(Tier.objects.order_by("-rank"))
        cheaper = [t.rank for t in here if (t.monthly_price or 0) <= (monthly or 0)]
        rank = max(cheaper) + 1 if cheaper else min((t.rank for t in here), default=1)
        for tier in here:  # from the top down, so no two ranks are ever the same
            if tier.rank >= rank:
                tier.rank += 1
                tier.save(update_fields=["rank"])
        made_here = [t for t in here if t not in imported.values()]
        if made_here:
            self.report.to_check.append(
                f"package {name}: ranked by its monthly price among the packages here, "
                f"{rank_among(made_here, rank)}: a higher package includes what lower ones do"
            )
        return rank

    def import_tags(self) -> dict[str, Topic]:
        topics = {}
        for row in self.rows("tag", "tags"):
            if row["name"].startswith("#") or row.get("visibility") == "internal":
                self.report.counts["tags"]["skipped (Ghost's internal #tags)"] += 1
                continue
            values = {
                "name": row["name"][:80],
                "slug": row["slug"][:80],
                "description": (row.get("description") or "")[:1000],
            }
            topics[row["id"]] = self.upsert(
                "tag", row["id"], Topic, values, match={"slug": row["slug"]}
            )
        return topics

    def import_authors(self) -> dict[str, Contributor]:
        authors = {}
        for row in self.rows("author", "users"):
            bio = (row.get("bio") or "").strip()
            role = role_line(bio)
            if bio and not role:
                self.report.to_check.append(
                    f"role line of {row['name']} (/contributors/{row['slug']}/): the bio's "
                    "first sentence is too long for one"
                )
            values = {
                "name": row["name"][:120],
                "slug": row["slug"][:140],
                "bio": bio[:3000],
                "role_line": role,
                "links": "\n".join(social_links(row)),
            }
            authors[row["id"]] = self.upsert(
                "author", row["id"], Contributor, values, match={"slug": row["slug"]}
            )
            self.give_picture(authors[row["id"]], "portrait", row["slug"], row.get("profile_image"))
        return authors

    def import_post(
        self, row: dict, ready: Prepared, tiers: dict, topics: dict, authors: dict
    ) -> None:
        kind = row.get("type") or "post"
        if ready.refused:
            raise validate.Refused(f"{validate.named(kind, 0, row)}: {ready.refused}")
        if row.get("status") not in STATUSES:
            self.report.skipped.append(f"{kind} {row['slug']}: status {row.get('status')!r}")
            return
        converted = ready.converted
        self.report.simplified.update(converted.simplified)
        rendered = ready.rendered
        if (markdown := self.without_ghost_pictures(row, converted)) != converted.markdown:
            converted.markdown = markdown
            if rendered is not None:
                preview = settings.MEMBERS_PREVIEW_PARAGRAPHS
                rendered = render(markdown, converted.pull_quotes, preview)
        if kind == "page":
            self.import_page(row, converted.markdown)
            return
        self.post_slugs.append(row["slug"])
        meta = self.meta.get(row["id"], {})

        def said(name: str) -> str:  # in posts_meta since Ghost 3, on the post before
            return (meta.get(name) or row.get(name) or "").strip()

        visibility, minimum_tier = self.visibility(row, tiers)
        published = row.get("published_at")
        values = {
            "title": row["title"][:200],
            "slug": row["slug"][:220],
            "dek": (row.get("custom_excerpt") or "")[:300],
            "body": converted.markdown,
            "status": STATUSES[row["status"]],
            "publish_at": parse_datetime(published) if published else None,
            "featured": bool(row.get("featured")),
            "visibility": visibility,
            "minimum_tier": minimum_tier,
            "hero_alt": (meta.get("feature_image_alt") or "")[:250],
            "hero_credit": rendering.text_of(meta.get("feature_image_caption") or "")[:200],
            "search_title": (said("meta_title") or said("og_title"))[:200],
            "search_description": (said("meta_description") or said("og_description"))[:300],
            "staff_note": emailed_only(row),
        }
        if row["status"] == "sent":
            self.report.to_check.append(
                f"post {row['slug']}: sent by email only in Ghost, never on its site; "
                "imported as a draft"
            )
        if said("og_image") or said("twitter_image"):
            self.report.to_check.append(
                f"post {row['slug']}: its own link-preview picture is not imported; "
                "previews show its picture, or a card drawn from its title"
            )
        relations = {
            "authors": [authors[a].pk for a in self.authors_of.get(row["id"], []) if a in authors],
            "topics": sorted(topics[t].pk for t in self.tags_of.get(row["id"], []) if t in topics),
            "quotes": converted.pull_quotes,
        }
        if not relations["authors"]:
            self.report.to_check.append(f"post {row['slug']}: no byline (no author in the export)")
        if self.is_new(row):
            self.add_new_post(row, values, relations, rendered)
            return
        article = self.upsert(
            "post", row["id"], Article, values, match={"slug": row["slug"]}, relations=relations
        )
        self.give_picture(article, "hero_image", row["slug"], row.get("feature_image"))

    # New posts, most of a first import, are written NEW_POSTS_AT_ONCE at a time with their
    # bylines, topics and pull quotes: rendered once, and a few queries for them all.

    def is_new_here(self, row: dict) -> bool:
        """Neither imported before nor made here: a post to write in bulk, unless another
        post of this export has its address."""
        return row["id"] not in self.posts_imported and row["slug"] not in self.slugs_here

    def is_new(self, row: dict) -> bool:
        if not self.is_new_here(row):
            return False
        if row["slug"] in self.new_slugs:
            self.write_new_posts()  # a slug twice in the export: the second finds the first
            return False
        return True

    def add_new_post(self, row: dict, values: dict, relations: dict, rendered: dict) -> None:
        article = Article(**values, **rendered)
        article.settle_publishing()
        check("post", row["id"], article, values)
        self.new_posts.append(
            NewPost(row, article, relations, digest({**values, "relations": relations}))
        )
        if len(self.new_posts) >= NEW_POSTS_AT_ONCE:
            self.write_new_posts()

    def write_new_posts(self) -> None:
        new_posts, self.new_posts = self.new_posts, []
        self.new_slugs = set()
        if not new_posts:
            return
        try:
            with transaction.atomic():
                Article.objects.bulk_create([new.article for new in new_posts])
        except IntegrityError:
            raise ImportFailed(
                "posts: one of "
                + ", ".join(new.row["slug"] for new in new_posts[:3])
                + " … has an address another row here already has"
            ) from None
        Byline.objects.bulk_create(
            Byline(article=new.article, contributor_id=pk, order=order)
            for new in new_posts
            for order, pk in enumerate(new.relations["authors"])
        )
        Article.topics.through.objects.bulk_create(
            Article.topics.through(article=new.article, topic_id=pk)
            for new in new_posts
            for pk in new.relations["topics"]
        )
        PullQuote.objects.bulk_create(
            PullQuote(article=new.article, **quote)
            for new in new_posts
            for quote in new.relations["quotes"]
        )
        Imported.objects.bulk_create(
            Imported(
                kind="post", ghost_id=new.row["id"], object_id=new.article.pk, written=new.written
            )
            for new in new_posts
        )
        self.report.counts["posts"]["created"] += len(new_posts)
        self.slugs_here.update(new.row["slug"] for new in new_posts)
        for new in new_posts:
            self.give_picture(
                new.article, "hero_image", new.row["slug"], new.row.get("feature_image")
            )
        # Bulk writes send no signals: the page cache learns of them here, and the share
        # cards the posts' saves would have drawn are drawn by the worker.
        pagecache.invalidate()
        draw_share_pictures.enqueue([new.article.pk for new in new_posts])
        reset_queries()  # with DEBUG on, Django keeps each query: these hold whole bodies

    def without_ghost_pictures(self, row: dict, converted) -> str:
        """Pictures kept on the Ghost server (`__GHOST_URL__/content/images/...`): taken
        from --images into our storage, through the same checks as an upload; any missing
        or refused is reported and left out rather than shown broken."""
        kept = converted.markdown
        for picture in converted.pictures:
            if picture.startswith(GHOST_URL):
                stored = self.stored_picture(row["slug"], picture)
                kept = kept.replace(f"]({picture})", f"]({stored or '#ghost-picture'})")
        return re.sub(r"!\[[^\]]*\]\(#ghost-picture\)\n*", "", kept)

    def picture_file(self, slug: str, picture: str) -> File | None:
        """The file behind a Ghost picture address in --images, checked as an upload is."""
        if not picture.startswith(GHOST_URL):
            return None
        if self.images is None:
            self.report.missing_pictures.append(f"{slug}: {picture}")
            return None
        try:
            path = validate.picture_path(self.images, in_images(picture))
        except validate.Refused as refused:
            self.report.missing_pictures.append(f"{slug}: {picture} ({refused})")
            return None
        if not path.is_file():
            self.report.missing_pictures.append(f"{slug}: {picture}")
            return None
        file = File(path.open("rb"), name=path.name)
        try:
            validate_image_upload(file)
        except ValidationError as error:
            file.close()
            self.report.missing_pictures.append(f"{slug}: {picture} ({' '.join(error.messages)})")
            return None
        return file

    def stored_picture(self, slug: str, picture: str) -> str | None:
        """A picture in a body, stored once under imported/ and served from there,
        re-encoded without its metadata as an upload is."""
        file = self.picture_file(slug, picture)
        if file is None:
            return None
        with file:
            try:
                clean = cleaned(file)
            except ValidationError as error:
                self.report.missing_pictures.append(f"{slug}: {picture} ({error.messages[0]})")
                return None
        name = str(PurePosixPath("imported", in_images(picture)).with_name(clean.name))
        if not default_storage.exists(name):
            name = default_storage.save(name, clean)
            self.stored.append(name)
        return default_storage.url(name)

    def give_picture(self, row, field: str, slug: str, picture: str | None) -> None:
        """A post's feature image or an author's portrait, if it has none here yet."""
        if not picture or getattr(row, field):
            return
        file = self.picture_file(slug, picture)
        if file is not None:
            with file:
                setattr(row, field, file)
                row.save()
            renditions = getattr(row, f"{field.removesuffix('_image')}_renditions")
            self.stored += [getattr(row, field).name, *(r["name"] for r in renditions)]
            if field == "hero_image" and not row.hero_alt:
                self.report.to_check.append(f"post {slug}: its picture has no description")

    def import_page(self, row: dict, markdown: str) -> None:
        """A Ghost page (About, say) as a flat page at its old address, sanitised as posts are."""
        values = {
            "url": validate.page_address(row),
            "title": row["title"][:200],
            "content": rendering.render(markdown).body_html,
        }
        page = self.upsert("page", row["id"], FlatPage, values, match={"url": values["url"]})
        page.sites.add(self.site)

    def visibility(self, row: dict, tiers: dict) -> tuple[str, Tier | None]:
        """Ghost's public, members, paid and tiers: paid and tiers as the lowest package."""
        seen = row.get("visibility") or "public"
        if seen in ("public", "members"):
            return seen, None
        allowed = self.tiers_of.get(row["id"], []) if seen == "tiers" else list(tiers)
        if self.free_tier is not None and self.free_tier in allowed:
            return Article.Visibility.MEMBERS, None  # free members may read it
        packages = sorted((tiers[t] for t in allowed if t in tiers), key=lambda t: t.rank)
        if not packages:
            self.report.to_check.append(
                f"post {row['slug']}: for {seen} members, but no package matches; "
                "imported for all members"
            )
            return Article.Visibility.MEMBERS, None
        return Article.Visibility.TIER, packages[0]

    def old_addresses(self, topics: dict, authors: dict) -> None:
        """Ghost's addresses answer 301 to ours (django.contrib.redirects)."""
        moves = [("/rss/", "/feed/")]
        moves += [(f"/{slug}/", f"/articles/{slug}/") for slug in self.post_slugs]
        moves += [(f"/tag/{t.slug}/", t.get_absolute_url()) for t in topics.values()]
        moves += [(f"/author/{a.slug}/", a.get_absolute_url()) for a in authors.values()]
        here = {r.old_path: r for r in Redirect.objects.filter(site=self.site)}
        counts = self.report.counts["old addresses"]
        made, moved = [], []
        for old, new in moves:
            if validate.answers_itself(old):  # a redirect would never be asked: say so
                self.report.skipped.append(f"old address {old}: this site answers it itself")
                continue
            if old not in here:
                here[old] = Redirect(site=self.site, old_path=old, new_path=new)
                made.append(here[old])
                counts["redirected"] += 1
                continue
            if here[old].new_path != new:
                here[old].new_path = new
                moved.append(here[old])
            counts["already redirected"] += 1
        Redirect.objects.bulk_create(made)
        Redirect.objects.bulk_update(moved, ["new_path"])

    # What the export says of each post, and what this site has already.

    @cached_property
    def posts_imported(self) -> set[str]:
        return set(Imported.objects.filter(kind="post").values_list("ghost_id", flat=True))

    @cached_property
    def slugs_here(self) -> set[str]:
        return set(Article.objects.values_list("slug", flat=True))

    @cached_property
    def meta(self) -> dict[str, dict]:
        return {m["post_id"]: m for m in self.export.table("posts_meta")}

    @cached_property
    def authors_of(self) -> dict[str, list[str]]:
        return self.export.links("posts_authors", "post_id", "author_id")

    @cached_property
    def tags_of(self) -> dict[str, list[str]]:
        return self.export.links("posts_tags", "post_id", "tag_id")

    @cached_property
    def tiers_of(self) -> dict[str, list[str]]:
        return self.export.links("posts_tiers", "post_id", "tier_id") | self.export.links(
            "posts_products", "post_id", "product_id"
        )


@dataclass
class NewPost:
    row: dict
    article: Article
    relations: dict
    written: str


def check(kind: str, ghost_id: str, row, values: dict) -> None:
    """The checks of the fields the import wrote (a slug, a length, a link), as one line
    naming the item. Not the model's clean(), which would parse each body again for a
    marker the converter always puts on its own line, nor a package's existence, which
    the import itself made sure of: a query a post."""
    unchecked = [f.name for f in row._meta.fields if f.name not in values or f.is_relation]
    try:
        row.clean_fields(exclude=unchecked)
    except ValidationError as error:
        said = " ".join(error.messages)
        raise ImportFailed(f"{kind} {ghost_id} ({label(values)}): {said}") from None


def post_relations(article: Article) -> dict:
    return {
        "authors": list(article.bylines.order_by("order").values_list("contributor_id", flat=True)),
        "topics": sorted(article.topics.values_list("pk", flat=True)),
        "quotes": [
            {"text": q.text, "attribution": q.attribution, "position": q.position}
            for q in article.pull_quotes.order_by("position", "pk")
        ],
    }


def in_images(picture: str) -> str:
    """Where a Ghost picture address lies in the server's content/images folder."""
    return picture.removeprefix(GHOST_URL).removeprefix("content/images/")


def rank_among(tiers: list[Tier], rank: int) -> str:
    below = [t.name for t in tiers if t.rank < rank]
    above = [t.name for t in tiers if t.rank > rank]
    if below and above:
        return f"above {below[0]} and below {above[-1]}"
    return f"above {below[0]}" if below else f"below {above[-1]}"


def label(values: dict) -> str:
    return str(values.get("slug") or values.get("url") or values.get("name") or "")


def cents(value) -> Decimal | None:
    return None if value in (None, "") else (Decimal(value) / 100).quantize(Decimal("0.01"))


def role_line(bio: str) -> str:
    """The bio's first sentence, when it is short enough to stand under a name."""
    first = bio.split(". ")[0].strip().rstrip(".")
    return first if first and len(first) <= ROLE_LINE_LONGEST else ""


def social_links(row: dict) -> list[str]:
    links = [row["website"]] if row.get("website") else []
    if row.get("twitter"):
        links.append(f"https://x.com/{row['twitter'].lstrip('@')}")
    if row.get("facebook"):
        links.append(f"https://www.facebook.com/{row['facebook']}")
    return links
