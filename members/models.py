import uuid
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from publication.context_processors import site_urls
from publication.signals import UpdateSignallingQuerySet

from .addresses import canonical, same_address


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        user.record_email_address()
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        """The canonical address (members/addresses.py): one mailbox, one account."""
        return canonical(email or "")

    def get_by_natural_key(self, username: str) -> "User":
        return self.get(email__iexact=same_address(username))

    def subscribers(self) -> models.QuerySet["User"]:
        """Readers who joined the free list (members among them), letter on or off."""
        return self.filter(subscribed_at__isnull=False)

    def readers(self) -> models.QuerySet["User"]:
        """With what members.access asks of a reader: membership, its tier, contributor profile."""
        return self.select_related("membership__tier", "contributor")


class User(AbstractUser):
    """A reader with an account: staff, contributors and members. Email is the login."""

    username = None
    email = models.EmailField("email address", max_length=254, unique=True)
    receives_letter = models.BooleanField(
        "receives the letter",
        default=True,
        help_text="Readers choose on their account page; a hard bounce or a spam complaint "
        "turns it off.",
    )
    subscribed_at = models.DateTimeField(
        "subscribed",
        null=True,
        blank=True,
        help_text="When the reader last confirmed, from their mailbox, that they want the "
        "letter: set for the free list, whether or not they are a member.",
    )

    # What staff know of the reader, never shown to them (a Ghost import brings both).
    labels = models.CharField(
        max_length=500, blank=True, help_text="Words staff group readers by, comma-separated."
    )
    note = models.TextField("note for staff", max_length=2000, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ci",
                violation_error_message="A user with this email address already exists.",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def record_email_address(self) -> None:
        record_email_addresses([self])


def record_email_addresses(users: list[User]) -> None:
    """Give allauth its record of each account's login address, which email changes start
    from, where it has none yet.

    Accounts are made by staff (approval, admin, createsuperuser) and every way in
    (invitation, code, reset) goes through this mailbox, so the address counts as verified.
    """
    from allauth.account.models import EmailAddress

    recorded = set(
        EmailAddress.objects.filter(user__in=users)
        .annotate(lower=Lower("email"))
        .values_list("user_id", "lower")
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, primary=True, verified=True)
        for user in users
        if (user.pk, user.email.lower()) not in recorded
    )


class TierQuerySet(UpdateSignallingQuerySet):
    def public(self) -> "TierQuerySet":
        return self.filter(is_public=True)

    def with_member_counts(self) -> "TierQuerySet":
        """Each package with `members`: how many current memberships it has."""
        now = timezone.now()
        current = models.Q(memberships__status=Membership.Status.ACTIVE) & (
            models.Q(memberships__ends_at__isnull=True) | models.Q(memberships__ends_at__gt=now)
        )
        return self.annotate(members=models.Count("memberships", filter=current, distinct=True))


def with_places_taken(tiers: list["Tier"]) -> list["Tier"]:
    """These packages, each with a capacity given `members` as with_member_counts gives
    it, the others (most) None: packages with a capacity are counted by a query of their
    own, and only when there are some, rather than every current membership on every
    request."""
    counts = {}
    if limited := [tier.pk for tier in tiers if tier.capacity is not None]:
        taken = Membership.objects.current().filter(tier__in=limited).values("tier")
        counts = dict(taken.annotate(count=models.Count("*")).values_list("tier", "count"))
    for tier in tiers:
        tier.members = None if tier.capacity is None else counts.get(tier.pk, 0)
    return tiers


class Tier(models.Model):
    """A membership package. A higher rank includes everything a lower one does."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    rank = models.PositiveSmallIntegerField(
        unique=True,
        help_text="Higher ranks include everything lower ranks do (e.g. 1 Reader, 2 Insider).",
    )
    description = models.CharField(max_length=300, help_text="One line under the name.")
    benefits = models.TextField(
        blank=True, max_length=2000, help_text="What the package includes, one benefit per line."
    )
    monthly_price = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True, help_text="Shown only; no payments."
    )
    yearly_price = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD", help_text="ISO code, e.g. USD, EUR.")
    is_public = models.BooleanField(
        "shown on the packages page",
        default=True,
        help_text="Hidden packages can still be granted by staff.",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Left to right on the page.")
    shows_place_in_line = models.BooleanField(
        "applicants see their place in line",
        default=True,
        help_text="On their own application page: “You are 12th in line for this package”.",
    )
    capacity = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Members at most. When full, the packages page says “waitlist only” and "
        "approving asks staff to confirm. Leave empty for no limit.",
    )

    objects = TierQuerySet.as_manager()

    class Meta:
        ordering = ["order", "rank"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        # Reversed once per process (site_urls), not once a package on every packages page.
        return f"{site_urls()['apply']}?tier={self.slug}"

    @property
    def benefit_list(self) -> list[str]:
        return [line.strip() for line in self.benefits.splitlines() if line.strip()]

    def includes(self, other: "Tier") -> bool:
        return self.rank >= other.rank

    def places_left(self) -> int | None:
        """Free places under the capacity (None: no limit), counted now."""
        if self.capacity is None:
            return None
        return max(self.capacity - Membership.objects.current().filter(tier=self).count(), 0)

    @property
    def is_full(self) -> bool:
        """On a queryset annotated by with_member_counts."""
        return self.capacity is not None and self.members >= self.capacity


class Answers(models.Model):
    """What an applicant tells us: the form's answers, kept alike by a submission and an
    application (each with its `tier`, the package asked for)."""

    class HeardFrom(models.TextChoices):
        FRIEND = "friend", "A friend or colleague"
        SOCIAL = "social", "Social media"
        SEARCH = "search", "A search engine"
        NEWSLETTER = "newsletter", "A newsletter or podcast"
        EVENT = "event", "An event"
        CONTRIBUTOR = "contributor", "One of our contributors"
        OTHER = "other", "Somewhere else"

    full_name = models.CharField(max_length=120)
    email = models.EmailField(max_length=254)
    organisation = models.CharField(max_length=120)
    role = models.CharField(max_length=120)
    link = models.URLField("LinkedIn or website", max_length=300, blank=True)
    reason = models.TextField("why they want to join", max_length=2000)
    heard_from = models.CharField("how they heard of us", max_length=20, choices=HeardFrom)
    consent = models.BooleanField("agreed to be contacted", default=False)
    started_from = models.CharField(
        "applied from",
        max_length=300,
        blank=True,
        help_text="The page (a path on this site) whose gate led to the application: the "
        "new member lands there after setting their password.",
    )

    FIELDS = [
        "full_name",
        "email",
        "organisation",
        "role",
        "link",
        "tier",
        "reason",
        "heard_from",
        "consent",
        "started_from",
    ]
    # What applicants may change on their own page: not the address it belongs to.
    CHANGEABLE = ["full_name", "organisation", "role", "link", "tier", "reason", "heard_from"]

    class Meta:
        abstract = True

    @property
    def first_and_last_name(self) -> tuple[str, str]:
        """The name as an account and a mailing tool want it: first word, then the rest."""
        first, _, last = self.full_name.partition(" ")
        return first, last


class SubmissionQuerySet(models.QuerySet):
    def expired(self) -> "SubmissionQuerySet":
        cutoff = timezone.now() - timedelta(seconds=settings.CONFIRMATION_MAX_AGE)
        return self.filter(created_at__lt=cutoff)


class Submission(Answers):
    """A filled-in form whose address has not been confirmed: staff never see it.

    Following the emailed link (members/links.py) turns it into an application, or
    opens the one the address already has, and deletes it; one never followed is
    purged once the link has expired (members/applications.py).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = SubmissionQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Unconfirmed: {self.full_name} <{self.email}>"


class Application(Answers):
    """A confirmed request to join the Member Waitlist. An address has at most one
    waiting at a time, and keeps its earlier ones."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="applications")
    moving_from = models.ForeignKey(
        Tier,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Set when a member asked to move from this package: approving changes the "
        "package of their membership.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    review_notes = models.TextField(blank=True, help_text="For staff only; never shown to them.")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewed_applications",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    invitation_sent_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
        help_text="The account made when the application was approved.",
    )
    # When the address was confirmed: the application's place in line.
    created_at = models.DateTimeField("applied", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("export_application", "Can export applications as CSV")]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(status="pending"),
                name="application_one_waiting_per_email",
                violation_error_message="This address already has an application waiting.",
            )
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="application_status_date"),
            # The admin lists the newest first, filtered or not.
            models.Index(fields=["-created_at", "-id"], name="application_newest_first"),
            # An address's applications, newest first (addresses are stored canonical).
            models.Index(fields=["email", "-created_at"], name="application_email_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    @property
    def asks(self) -> str:
        """What staff see it ask for: a move, or to join."""
        return f"Move from {self.moving_from.name}" if self.moving_from_id else "To join"

    @property
    def may_apply_again_on(self) -> date | None:
        """A declined applicant waits REAPPLY_AFTER_DAYS from the decision; None: no wait."""
        if self.status != self.Status.DECLINED or self.reviewed_at is None:
            return None
        day = timezone.localdate(self.reviewed_at) + timedelta(days=settings.REAPPLY_AFTER_DAYS)
        return day if day > timezone.localdate() else None

    def place_in_line(self) -> int:
        """1 for the first: waiting applications for this package or a higher one that
        were confirmed before this one, plus itself."""
        ahead = Application.objects.filter(
            status=self.Status.PENDING, tier__rank__gte=self.tier.rank
        ).filter(
            models.Q(created_at__lt=self.created_at)
            | models.Q(created_at=self.created_at, pk__lt=self.pk)
        )
        return ahead.count() + 1


class MembershipQuerySet(models.QuerySet):
    def current(self) -> "MembershipQuerySet":
        """Memberships that have not ended (as Membership.has_ended decides for one)."""
        return self.filter(status=Membership.Status.ACTIVE).filter(
            models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=timezone.now())
        )


def is_current_member() -> models.Q:
    """On User: has a membership that has not ended (MembershipQuerySet.current)."""
    return models.Q(membership__in=Membership.objects.current())


class Membership(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="memberships")
    status = models.CharField(max_length=10, choices=Status, default=Status.ACTIVE)
    started_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(
        null=True, blank=True, help_text="Leave empty for a membership that does not end."
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["status", "tier"], name="membership_status_tier")]
        permissions = [("export_membership", "Can export members as CSV")]

    def __str__(self) -> str:
        return f"{self.user} ({self.tier})"

    @property
    def has_ended(self) -> bool:
        return self.status == self.Status.ENDED or (
            self.ends_at is not None and self.ends_at <= timezone.now()
        )

    @property
    def is_active(self) -> bool:
        return not self.has_ended and self.started_at <= timezone.now()


class Event(models.Model):
    """One thing that happened to an application or a membership, and who did it.

    Appended, never changed: the admin shows it read-only and lets nobody edit or
    delete it (members/history.py records, members/admin.py shows).
    """

    class What(models.TextChoices):
        APPLIED = "applied", "Applied (address confirmed)"
        CHANGED = "changed", "Changed by the applicant"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn by the applicant"
        INVITED = "invited", "Invitation sent"
        INVITATION_RESENT = "invitation_resent", "Invitation to be sent again"
        INVITATION_USED = "invitation_used", "Invitation used"
        MEMBERSHIP_STARTED = "membership_started", "Membership started"
        MEMBERSHIP_RENEWED = "membership_renewed", "Membership renewed"
        TIER_CHANGED = "tier_changed", "Package changed"
        MEMBERSHIP_ENDED = "membership_ended", "Membership ended"
        LEFT = "left", "Left by the member"
        ENDS_CHANGED = "ends_changed", "End date changed"

    class Actor(models.TextChoices):
        STAFF = "staff", "Staff"
        APPLICANT = "applicant", "The applicant or member"
        SYSTEM = "system", "The site"

    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    what = models.CharField(max_length=20, choices=What)
    actor = models.CharField(max_length=10, choices=Actor)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["application", "at"], name="event_application_at")]

    def __str__(self) -> str:
        who = self.staff or self.get_actor_display()
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_what_display()}{detail}, by {who}"
