"""Small builders for test data: readable defaults, override what the test is about."""

import io
import itertools
from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles.models import Article, Byline, Contributor, PullQuote, Topic
from members import emails
from members.models import Application, Membership, Submission, Tier, User
from outbox.models import Email

_numbers = itertools.count(1)


def make_contributor(**fields) -> Contributor:
    n = next(_numbers)
    fields.setdefault("name", f"Writer {n}")
    fields.setdefault("slug", f"writer-{n}")
    fields.setdefault("role_line", "Staff writer")
    return Contributor.objects.create(**fields)


def make_topic(**fields) -> Topic:
    n = next(_numbers)
    fields.setdefault("name", f"Topic {n}")
    fields.setdefault("slug", f"topic-{n}")
    return Topic.objects.create(**fields)


def make_article(*, contributors=(), topics=(), pull_quotes=(), **fields) -> Article:
    n = next(_numbers)
    fields.setdefault("title", f"Essay number {n}")
    fields.setdefault("slug", f"essay-{n}")
    fields.setdefault("dek", f"The standfirst of essay {n}.")
    fields.setdefault("body", "First paragraph.\n\nSecond paragraph.\n\nThird paragraph.")
    fields.setdefault("status", Article.Status.PUBLISHED)
    fields.setdefault("publish_at", timezone.now() - timedelta(days=n % 30 + 1))
    article = Article.objects.create(**fields)
    for order, contributor in enumerate(contributors):
        Byline.objects.create(article=article, contributor=contributor, order=order)
    article.topics.set(topics)
    for quote in pull_quotes:
        PullQuote.objects.create(article=article, **quote)
    return article


def stored_files(folder: str = "") -> list[str]:
    """Every file the media storage holds, on disk or in a bucket, through its API."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:  # a folder on disk not made yet
        return []
    found = [f"{folder}{name}" for name in files]
    for sub in folders:
        found += stored_files(f"{folder}{sub}/")
    return sorted(found)


def image_bytes(width: int = 800, height: int = 600, image_format: str = "JPEG", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#336699").save(buffer, format=image_format, **save)
    return buffer.getvalue()


def image_upload(name: str = "picture.jpg", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(**kwargs), content_type="image/jpeg")


def make_tier(**fields) -> Tier:
    n = next(_numbers)
    fields.setdefault("name", f"Tier {n}")
    fields.setdefault("slug", f"tier-{n}")
    fields.setdefault("rank", n)
    fields.setdefault("description", f"What tier {n} is for.")
    return Tier.objects.create(**fields)


def make_application(**fields) -> Application:
    return Application.objects.create(**answers(fields))


def make_submission(**fields) -> Submission:
    """A form sent but not yet confirmed by its emailed link."""
    return Submission.objects.create(**answers(fields))


def answers(fields: dict) -> dict:
    n = next(_numbers)
    fields.setdefault("full_name", f"Applicant Number{n}")
    fields.setdefault("email", f"applicant{n}@example.com")
    fields.setdefault("organisation", "Example Corp")
    fields.setdefault("role", "Analyst")
    fields.setdefault("reason", "I read everything you publish on policy.")
    fields.setdefault("heard_from", Application.HeardFrom.FRIEND)
    fields.setdefault("consent", True)
    if "tier" not in fields:
        fields["tier"] = make_tier()
    return fields


def make_member(tier: Tier | None = None, *, email: str | None = None, **membership) -> User:
    """A member who has accepted their invitation and set a password."""
    user = User.objects.create_user(email or f"member{next(_numbers)}@example.com", "a-long-pw")
    Membership.objects.create(user=user, tier=tier or make_tier(), **membership)
    return user


def application_answers(package: Tier, **overrides) -> dict:
    """What an applicant types into the Member Waitlist form, all valid."""
    data = {
        "full_name": "Ada Reader",
        "email": "ada@example.com",
        "organisation": "Analytical Engines Ltd",
        "role": "Research lead",
        "link": "https://example.com/ada",
        "tier": str(package.pk),
        "reason": "I follow crypto policy closely and want the whole reporting.",
        "heard_from": "newsletter",
        "consent": "on",
        "website": "",
    }
    return {**data, **overrides}


def member_note(address: str) -> Email:
    """Queue the simplest email there is, the note to a member who applied again: for
    tests of the queue itself."""
    return emails.already_a_member(User.objects.create_user(address))


def listed(response) -> list[Article]:
    """The posts a list page or search shows, in order, as posts: the page itself knows
    only their ids and revisions (articles.listing.Listed)."""
    return [Article.objects.get(pk=post.pk) for post in response.context["articles"]]
