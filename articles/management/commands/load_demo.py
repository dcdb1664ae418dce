import secrets
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import transaction

from articles import demo
from articles.demo.pictures import placeholder, portrait
from articles.models import Article, Byline, Contributor, PullQuote, Topic
from members.models import Membership, Tier

FPO_NAME = "demo/lorem-fpo.png"
DEMO_ADMIN_EMAIL = "admin@example.com"


class Command(BaseCommand):
    help = (
        "Load the demo pieces, contributors, topics and membership packages. Creates only "
        "what is missing, so running it again keeps every change made since. With DEBUG on, "
        "also sets up a demo admin account and prints its login."
    )

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            created = self.load_content()
        self.stdout.write(
            f"Demo content: {created} new piece(s), {Article.objects.count()} in all."
        )
        if settings.DEBUG:
            self.print_admin_login()
            self.load_members()
        else:
            self.stdout.write("DEBUG is off: no demo admin. Use `manage.py createsuperuser`.")

    def load_content(self) -> int:
        for data in demo.TIERS:
            Tier.objects.get_or_create(slug=data["slug"], defaults=data)
        topics = {}
        for data in demo.TOPICS:
            topics[data["slug"]], _ = Topic.objects.get_or_create(
                slug=data["slug"],
                defaults={"name": data["name"], "description": data["description"]},
            )
        contributors = {}
        for index, data in enumerate(demo.CONTRIBUTORS):
            contributor, made = Contributor.objects.get_or_create(
                slug=data["slug"], defaults={"name": data["name"], "role_line": data["role_line"]}
            )
            if made:
                contributor.portrait = portrait(
                    contributor.name, index, filename=f"{contributor.slug}.png"
                )
                contributor.save()
            contributors[data["slug"]] = contributor

        fpo_url = default_storage.url(self.fpo_picture())
        created = 0
        for data in demo.ARTICLES:
            if Article.objects.filter(slug=data["slug"]).exists():
                continue
            article = Article(
                slug=data["slug"],
                title=data["title"],
                dek=data["dek"],
                body=demo.body(data["slug"]).replace("{fpo_url}", fpo_url),
                status=Article.Status.PUBLISHED,
                publish_at=datetime.fromisoformat(data["publish_at"]),
                featured=data.get("featured", False),
                visibility=Article.Visibility.MEMBERS
                if data.get("members_only")
                else Article.Visibility.PUBLIC,
            )
            if data.get("hero"):
                article.hero_image = placeholder(1600, 900, name=f"{data['slug']}.png")
                article.hero_alt = "Lorem FPO: a placeholder where the lead picture will go"
                article.hero_credit = "Placeholder picture"
            article.save()
            article.topics.set(topics[slug] for slug in data["topics"])
            for order, slug in enumerate(data["contributors"]):
                Byline.objects.create(article=article, contributor=contributors[slug], order=order)
            for quote in data.get("pull_quotes", []):
                PullQuote.objects.create(article=article, **quote)
            created += 1
        return created

    def fpo_picture(self) -> str:
        if not default_storage.exists(FPO_NAME):
            default_storage.save(FPO_NAME, placeholder(1200, 675, name="lorem-fpo.png"))
        return FPO_NAME

    def load_members(self) -> None:
        """A member of each package, so the letter has someone to go to (DEBUG only)."""
        user_model = get_user_model()
        for tier in Tier.objects.order_by("rank"):
            email = f"{tier.slug}@example.com"
            if not user_model.objects.filter(email=email).exists():
                member = user_model.objects.create_user(email, first_name=f"Demo {tier.name}")
                Membership.objects.create(user=member, tier=tier)
        self.stdout.write(
            "Demo members, one per package (the worker prints what is emailed to them): "
            + ", ".join(f"{tier.slug}@example.com" for tier in Tier.objects.order_by("rank"))
        )

    def print_admin_login(self) -> None:
        # A fresh password every run, so the printed login always works.
        password = secrets.token_urlsafe(12)
        user_model = get_user_model()
        admin = user_model.objects.filter(email__iexact=DEMO_ADMIN_EMAIL).first()
        if admin is None:
            admin = user_model.objects.create_superuser(DEMO_ADMIN_EMAIL, password)
        else:
            admin.set_password(password)
            admin.save(update_fields=["password"])
        self.stdout.write(
            self.style.SUCCESS(
                "\nDemo admin (local use only), at /admin/ on the server:\n"
                f"  email:    {DEMO_ADMIN_EMAIL}\n"
                f"  password: {password}\n"
            )
        )
