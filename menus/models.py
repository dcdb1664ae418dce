"""The header's and the footer's links, in the order staff put them."""

from django.contrib.flatpages.models import FlatPage
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from articles.models import Contributor, Topic


class MenuLinkQuerySet(models.QuerySet):
    def for_menus(self) -> "MenuLinkQuerySet":
        """With what `text` and `href` read of the place each links to, and no more: not
        a flat page's content, nor a contributor's biography."""
        return self.select_related("page", "topic", "contributor").only(
            *["menu", "label", "site_page", "url", "page__title", "page__url"],
            *["topic__name", "topic__slug", "contributor__name", "contributor__slug"],
        )


class MenuLink(models.Model):
    class Menu(models.TextChoices):
        HEADER = "header", "Header"
        FOOTER = "footer", "Footer"

    class SitePage(models.TextChoices):
        """The site's own pages that are not rows: their URL names."""

        LATEST = "articles:home", "Latest"
        PACKAGES = "members:packages", "Membership"
        TOPICS = "articles:topic-list", "Topics"
        CONTRIBUTORS = "articles:contributor-list", "Contributors"
        SEARCH = "articles:search", "Search"
        SUBSCRIBE = "letters:subscribe", "Free letter"
        FEED = "articles:feed", "RSS feed"

    menu = models.CharField(max_length=10, choices=Menu, default=Menu.FOOTER)
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Links stand in this order, lowest first."
    )
    label = models.CharField(
        "words",
        max_length=60,
        blank=True,
        help_text="What the link says. Leave empty to use the name of what it links to.",
    )
    # Where it goes: exactly one of these.
    site_page = models.CharField("page of the site", max_length=40, choices=SitePage, blank=True)
    page = models.ForeignKey(
        FlatPage, null=True, blank=True, on_delete=models.CASCADE, help_text="A page staff wrote."
    )
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.CASCADE)
    contributor = models.ForeignKey(Contributor, null=True, blank=True, on_delete=models.CASCADE)
    url = models.URLField(
        "outside address", blank=True, help_text="A page elsewhere, starting with https://."
    )

    objects = MenuLinkQuerySet.as_manager()

    # Where it goes: exactly one of these is set (forms.MenuLinkForm).
    TARGETS = ["site_page", "page", "topic", "contributor", "url"]

    class Meta:
        ordering = ["menu", "order", "id"]
        verbose_name = "menu link"

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        if self.url and not self.label.strip():
            raise ValidationError({"label": "Give the outside link the words it shows."})

    @property
    def text(self) -> str:
        if self.label.strip():
            return self.label.strip()
        if self.site_page:
            return self.SitePage(self.site_page).label
        target = self.page or self.topic or self.contributor
        if isinstance(target, FlatPage):
            return target.title
        return str(target or self.url)

    @property
    def href(self) -> str:
        if self.site_page:
            return reverse(self.site_page)
        target = self.page or self.topic or self.contributor
        return target.get_absolute_url() if target else self.url
