from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from publication.answers import CachedAnswer

from .models import MenuLink


@dataclass(frozen=True)
class Link:
    text: str
    href: str


def menus(request: HttpRequest) -> dict:
    """The header's and footer's links, read when a page shows them (a feed does not)."""
    return {"menus": SimpleLazyObject(menu_links)}


def menu_links() -> dict[str, list[Link]]:
    """Each menu's links, in order: one query, or none where Redis has them (LIST_CACHE)."""
    answer = CachedAnswer("menus")
    if (links := answer.get()) is None:
        links = {menu: [] for menu in MenuLink.Menu.values}
        for link in MenuLink.objects.for_menus():
            links[link.menu].append(Link(link.text, link.href))
        answer.set(links, lambda: settings.PAGE_CACHE_SECONDS)
    return links
