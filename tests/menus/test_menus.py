"""The header's and footer's links, edited by staff in the admin."""

import re

import pytest
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.test import Client
from django.urls import reverse

from menus.defaults import add_default_links
from menus.models import MenuLink
from tests.factories import make_article, make_contributor, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def default_links():
    """The links migration 0002 makes, which a transactional test's flush takes away."""
    if not MenuLink.objects.exists():
        add_default_links(MenuLink)


ADD = reverse("admin:menus_menulink_add")
ONE_PLACE = (
    "Choose one place for the link to go: a page of the site, a page staff wrote, a topic, "
    "a contributor or an outside address."
)


def header_links(html: str) -> list[tuple[str, str]]:
    nav = html.split('<ul class="site-nav">')[1].split("</ul>")[0]
    return re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', nav)


def footer_links(html: str) -> list[tuple[str, str]]:
    footer = html.split('<footer class="site-footer">')[1]
    return re.findall(r' · <a href="([^"]+)">([^<]+)</a>', footer)


def about_page() -> FlatPage:
    page = FlatPage.objects.create(url="/about/", title="About us", content="<p>Hello.</p>")
    page.sites.add(Site.objects.get_current())
    return page


def test_the_menus_start_as_the_layout_had_them(client):
    html = client.get("/").content.decode()
    assert header_links(html) == [
        ("/", "Latest"),
        ("/membership/", "Membership"),
        ("/accounts/login/?next=/", "Log in"),  # the reader's own links stay after the menu
    ]
    assert footer_links(html) == [
        ("/topics/", "Topics"),
        ("/contributors/", "Contributors"),
        ("/membership/", "Membership"),
        ("/feed/", "RSS feed"),
    ]


def test_staff_add_a_page_to_the_footer_and_every_page_links_it(staff_client, client):
    page = about_page()

    response = staff_client.post(
        ADD, {"menu": "footer", "order": "15", "label": "", "page": page.pk}
    )

    assert response.status_code == 302
    for url in ["/", "/about/", "/membership/"]:
        assert footer_links(client.get(url).content.decode())[:2] == [
            ("/topics/", "Topics"),
            ("/about/", "About us"),
        ]


def test_links_to_topics_contributors_and_elsewhere_say_what_staff_wrote(staff_client, client):
    topic, writer = make_topic(name="Policy"), make_contributor(name="Ada Byline")
    MenuLink.objects.all().delete()
    for fields in [
        {"menu": "header", "order": "3", "topic": topic.pk},
        {"menu": "header", "order": "1", "contributor": writer.pk, "label": "Ada's <essays>"},
        {"menu": "header", "order": "2", "url": "https://example.org/shop", "label": "Shop"},
    ]:
        assert staff_client.post(ADD, {"label": "", **fields}).status_code == 302

    assert header_links(client.get("/").content.decode())[:3] == [
        (writer.get_absolute_url(), "Ada&#x27;s &lt;essays&gt;"),
        ("https://example.org/shop", "Shop"),
        (topic.get_absolute_url(), "Policy"),
    ]


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({}, {"__all__": [ONE_PLACE]}),
        (
            {"site_page": "articles:home", "url": "https://example.org/", "label": "Both"},
            {"__all__": [ONE_PLACE]},
        ),
        ({"url": "https://example.org/"}, {"label": ["Give the outside link the words it shows."]}),
        (
            {"url": "javascript:alert(1)", "label": "Bad"},
            {"url": ["Enter a valid URL."]},
        ),
    ],
)
def test_a_link_that_goes_nowhere_or_two_places_is_refused(staff_client, fields, errors):
    before = MenuLink.objects.count()
    response = staff_client.post(ADD, {"menu": "footer", "order": "1", "label": "", **fields})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == errors
    assert MenuLink.objects.count() == before


def test_a_topic_deleted_leaves_no_link_behind(client):
    topic = make_topic(name="Gone soon")
    MenuLink.objects.create(menu="footer", order=99, topic=topic)
    topic.delete()
    assert "Gone soon" not in client.get("/").content.decode()


def test_with_redis_the_menus_cost_no_query_and_a_change_shows_at_once(
    settings, redis_cache, django_assert_num_queries
):
    settings.LIST_CACHE = True
    make_article()
    Client().get("/topics/")
    with django_assert_num_queries(1):  # the topics alone: the menus come from Redis
        Client().get("/topics/")

    MenuLink.objects.create(menu="header", order=5, url="https://example.org/", label="Shop")

    assert ("https://example.org/", "Shop") in header_links(
        Client().get("/topics/").content.decode()
    )
