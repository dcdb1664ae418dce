"""Ghost's navigation and secondary navigation (its settings) as the header's and the
footer's menus here: each link to the page, topic, contributor or post it named, at its
address here. A link to a place a menu links to already is not added twice, and one the
import added before is never added again, even after staff removed it."""

import json
import re
from collections import Counter
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.db.models import Max
from django.urls import reverse

from articles.models import Contributor, Topic
from menus.models import MenuLink

from .models import Imported

MENUS = {"navigation": MenuLink.Menu.HEADER, "secondary_navigation": MenuLink.Menu.FOOTER}
GHOST_URL = "__GHOST_URL__"


def import_navigation(export, report, *, posts: set[str]) -> None:
    said = {row.get("key"): row.get("value") for row in export.table("settings")}
    counts: Counter = report.counts["menu links"]
    for key, menu in MENUS.items():
        last = MenuLink.objects.filter(menu=menu).aggregate(Max("order"))["order__max"] or 0
        for item in links_in(said.get(key)):
            label, url = (item.get("label") or "").strip(), (item.get("url") or "").strip()
            ghost_id = f"{menu}:{url}"
            if Imported.objects.filter(kind="menu link", ghost_id=ghost_id).exists():
                counts["unchanged"] += 1
                continue
            place = place_of(url, posts)
            if place is None:
                report.skipped.append(f"menu link {label or url}: {url} is no page here")
                continue
            link = MenuLink.objects.filter(menu=menu, **place).first()
            if link is None:
                last += 10
                link = MenuLink.objects.create(menu=menu, order=last, label=label[:60], **place)
                counts["created"] += 1
            else:
                counts["matched to one here"] += 1
            Imported.objects.create(
                kind="menu link", ghost_id=ghost_id, object_id=link.pk, written=label
            )


def links_in(value) -> list[dict]:
    """A navigation setting's links: a JSON list of {label, url} in a string."""
    try:
        links = json.loads(value) if isinstance(value, str) else value
    except json.JSONDecodeError:
        return []
    return [link for link in links or [] if isinstance(link, dict)]


def place_of(url: str, posts: set[str]) -> dict | None:
    """Where a Ghost link goes here, as a menu link's fields; None for nowhere."""
    if "#/portal" in url:  # Ghost's sign-up and account pop-up: the packages page here
        return {"site_page": MenuLink.SitePage.PACKAGES}
    parts = urlsplit(url.removeprefix(GHOST_URL))
    if parts.scheme or parts.netloc:
        return {"url": url} if parts.scheme in {"http", "https"} and parts.netloc else None
    path = "/" + parts.path.strip("/") + "/" if parts.path.strip("/") else "/"
    if path == "/":
        return {"site_page": MenuLink.SitePage.LATEST}
    if path == "/rss/":
        return {"site_page": MenuLink.SitePage.FEED}
    if found := re.fullmatch(r"/tag/([^/]+)/", path):
        topic = Topic.objects.filter(slug=found[1]).first()
        return {"topic": topic} if topic else None
    if found := re.fullmatch(r"/author/([^/]+)/", path):
        contributor = Contributor.objects.filter(slug=found[1]).first()
        return {"contributor": contributor} if contributor else None
    if page := FlatPage.objects.filter(url=path).first():
        return {"page": page}
    if path.strip("/") in posts:
        address = reverse("articles:article-detail", kwargs={"slug": path.strip("/")})
        return {"url": settings.SITE_URL + address}
    return None
