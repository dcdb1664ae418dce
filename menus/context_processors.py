from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject

from publication.answers import CachedAnswer

from .models import MenuLink


def menus(request: HttpRequest) -> dict:
    """The header's and footer's links, read when a page shows them (a feed does not)."""
    return {"menus": SimpleLazyObject(rendered_menus)}


def rendered_menus() -> dict[str, str]:
    """Each menu's links as HTML: one query, or none where Redis has them (LIST_CACHE).
    Kept rendered, so a page costs one round trip to Redis and no loop of its own."""
    return CachedAnswer("menus").get_or_set(render_menus)


def render_menus() -> dict[str, str]:
    links = {menu: [] for menu in MenuLink.Menu.values}
    for link in MenuLink.objects.for_menus():
        links[link.menu].append(link)
    return {
        menu: render_to_string(f"menus/{menu}.html", {"links": menu_links})
        for menu, menu_links in links.items()
    }
