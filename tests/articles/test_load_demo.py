import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from articles.models import Article, Contributor, Topic
from members.models import Tier

pytestmark = pytest.mark.django_db


def load_demo(settings, *, debug: bool = True) -> str:
    settings.DEBUG = debug
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_demo_loads_the_seed_pieces(settings, client):
    load_demo(settings)

    assert Article.objects.published().count() == 4
    sec = Article.objects.get(slug="sec-defi-crypto-innovation-abroad")
    assert sec.visibility == Article.Visibility.MEMBERS
    assert [b.contributor.role_line for b in sec.bylines.all()] == [
        "Ernie Smith is the founder of the newsletter Tedium and a regular contributor to "
        "Vice’s Motherboard."
    ]
    assert sec.pull_quotes.count() == 4
    assert "<figcaption>– Umee’s Brent Xu wrote for Coindesk back in February.</figcaption>" in (
        sec.body_html
    )
    assert Article.objects.get(featured=True).title == (
        "The Open Source AI Revolution: How History Repeats Itself"
    )
    assert Contributor.objects.get(slug="dylan-patel").role_line == "Semiconductor Analyst"
    assert all(c.portrait_renditions for c in Contributor.objects.all())
    assert Topic.objects.count() == 5
    assert list(Tier.objects.public().values_list("name", "rank")) == [
        ("Reader", 1),
        ("Insider", 2),
        ("Patron", 3),
    ]

    home = client.get("/").content.decode()
    assert "Against AI: Artificial “Art”" in home
    fpo = client.get("/articles/open-source-ai-revolution/").content.decode()
    assert '<img src="/media/demo/lorem-fpo.png" alt="Lorem FPO: a placeholder' in fpo


def test_demo_is_idempotent_and_keeps_staff_edits(settings):
    load_demo(settings)
    Article.objects.filter(slug="against-ai-artificial-art").update(title="Edited by staff")

    out = load_demo(settings)

    assert "0 new piece(s), 4 in all." in out
    assert Article.objects.count() == 4
    assert Contributor.objects.count() == 4
    assert Article.objects.get(slug="against-ai-artificial-art").title == "Edited by staff"


def test_demo_prints_a_working_admin_login_each_run(settings):
    passwords = []
    for _ in range(2):
        out = load_demo(settings)
        passwords.append(re.search(r"password: (\S+)", out).group(1))
        admin = get_user_model().objects.get(email="admin@example.com")
        assert admin.is_staff and admin.is_superuser
        assert admin.check_password(passwords[-1])
    assert passwords[0] != passwords[1]
    assert get_user_model().objects.filter(is_staff=True).count() == 1


def test_demo_makes_a_member_of_each_package_for_the_letter(settings):
    load_demo(settings)
    out = load_demo(settings)
    members = get_user_model().objects.filter(membership__isnull=False).order_by("email")
    assert [(m.email, m.membership.tier.slug, m.receives_letter) for m in members] == [
        ("insider@example.com", "insider", True),
        ("patron@example.com", "patron", True),
        ("reader@example.com", "reader", True),
    ]
    assert "Demo members, one per package" in out


def test_demo_makes_no_admin_when_debug_is_off(settings):
    out = load_demo(settings, debug=False)
    assert "no demo admin" in out
    assert not get_user_model().objects.exists()
