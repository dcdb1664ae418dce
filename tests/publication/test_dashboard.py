"""The admin index as a dashboard: each figure counts what its link lists."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from letters.models import Send
from letters.sending import send_post
from members.models import User
from tests.factories import make_application, make_article, make_member, make_tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    reader, insider = (
        make_tier(name="Reader", rank=1),
        make_tier(name="Insider", rank=2, capacity=3),
    )
    for _ in range(2):
        make_application(tier=insider)
    make_application(tier=reader)
    make_application(tier=insider, status="declined")
    make_member(insider)  # joined today
    make_member(insider, started_at=timezone.now() - timedelta(days=20))
    make_member(reader, ends_at=timezone.now() + timedelta(days=10))  # joined today, ending
    make_member(reader, ends_at=timezone.now() + timedelta(days=60))
    return reader, insider


def figures(page: str) -> dict[str, str]:
    """Each link of the dashboard: its words, and where it goes."""
    part = page[page.index('<div class="module at-a-glance"') :]
    part = part[: part.index("</div>")]
    return {
        words: href.replace("&amp;", "&")
        for href, words in re.findall(r'<a href="([^"]+)">([^<]+)</a>', part)
    }


def test_the_index_says_what_waits_who_came_who_is_leaving_and_how_letters_went(
    staff_client, staff_user, site
):
    reader, _ = site
    send_post(
        make_article(title="A letter", publish_at=timezone.now() - timedelta(hours=20)),
        audience=Send.Audience.ALL,
        tier=None,
        sent_by=staff_user,
    )
    make_article(publish_at=timezone.now() - timedelta(days=8))  # out longer ago
    for _ in range(2):
        make_article(status="draft")
    today = timezone.localdate()
    week_ago, tomorrow = (
        quote(f"{day} 00:00:00+00:00").replace("%20", "+")
        for day in (today - timedelta(days=6), today + timedelta(days=1))
    )

    shown = figures(staff_client.get("/admin/").content.decode())

    assert shown["1 waiting for Reader"] == (
        f"/admin/members/application/?status__exact=pending&tier__id__exact={reader.pk}"
    )
    assert "2 waiting for Insider" in shown
    assert ": 1 place left</li>" in staff_client.get("/admin/").content.decode()  # 3 - 2 members
    assert "3 joined in the last 7 days" in shown
    assert "1 membership ending within 30 days" in shown
    assert "A letter" in shown
    assert shown["1 published in the last 7 days"] == (  # "A letter", out yesterday
        "/admin/articles/article/?status__exact=published"
        f"&publish_at__gte={week_ago}&publish_at__lt={tomorrow}"
    )
    assert "2 drafts" in shown and "0 scheduled" in shown
    for words, url in shown.items():  # every link lists what its figure counts
        listed = staff_client.get(url)
        assert listed.status_code == 200, (words, url)
        count = re.match(r"(\d+) ", words)
        if count and "/members/" in url:
            assert re.search(
                rf"\b{count[1]} (application|membership)s?\b", listed.content.decode()
            ), words
        if count and "/articles/" in url:
            assert re.search(rf"\b{count[1]} articles?\b", listed.content.decode()), words


def test_staff_see_only_the_parts_they_may_view(site):
    viewer = User.objects.create_user("viewer@example.com", "a-long-pw-v", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_membership"))
    client = Client()
    client.force_login(viewer)

    shown = figures(client.get("/admin/").content.decode())

    assert "3 joined in the last 7 days" in shown
    assert not any("waiting for" in words for words in shown)


def test_with_no_letter_yet_the_index_says_so(staff_client):
    assert "<li>No letter sent yet.</li>" in staff_client.get("/admin/").content.decode()
