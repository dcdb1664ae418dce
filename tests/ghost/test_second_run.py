"""A second run of any export, on a site with its own content, changes no row; a row the
import matched to one made here changes only when --overwrite names it."""

import pytest
from django.apps import apps
from django.core.management import call_command

from ghost.models import Imported
from members.models import Tier
from tests.ghost.test_import import EXPORTS, import_ghost

pytestmark = pytest.mark.django_db

# Every row of the site, but the import's own record of when it last looked at a row.
MODELS = [
    model
    for model in apps.get_models()
    if model._meta.app_label
    in {"articles", "members", "letters", "menus", "flatpages", "redirects", "ghost"}
    and not model._meta.proxy
]


def every_row() -> dict[str, list[dict]]:
    rows = {}
    for model in MODELS:
        values = model.objects.order_by("pk").values()
        rows[model._meta.label] = [
            {k: v for k, v in row.items() if not (model is Imported and k == "imported_at")}
            for row in values
        ]
    return rows


@pytest.mark.parametrize("members", sorted(p.name for p in EXPORTS.glob("*.csv")))
@pytest.mark.parametrize("export", sorted(p.name for p in EXPORTS.glob("*.json")))
def test_every_export_twice_on_the_demo_site_changes_no_row_the_first_left(export, members):
    call_command("load_demo", verbosity=0)
    import_ghost(EXPORTS / export, "--members", str(EXPORTS / members))
    left = every_row()

    again = import_ghost(EXPORTS / export, "--members", str(EXPORTS / members))

    assert every_row() == left
    assert "created" not in again.split("took")[0], again


def test_a_ghost_tier_of_a_name_here_is_matched_to_it():
    call_command("load_demo", verbosity=0)
    first = import_ghost(EXPORTS / "ghost4.json")
    assert "tiers: 1 created, 1 matched to one made here" in first  # Gold; the demo's Patron


def test_a_package_matched_to_one_made_here_keeps_its_own_price_slug_and_words():
    call_command("load_demo", verbosity=0)
    patron = Tier.objects.get(slug="patron")
    own = (patron.monthly_price, patron.slug, patron.description, patron.benefits)
    for _ in range(2):
        import_ghost(EXPORTS / "ghost4.json")
        import_ghost(EXPORTS / "ghost4.json", "--overwrite")  # alone: not rows made here
    patron.refresh_from_db()
    assert (patron.monthly_price, patron.slug, patron.description, patron.benefits) == own

    import_ghost(EXPORTS / "ghost4.json", "--overwrite", "tier:patron")

    patron.refresh_from_db()
    assert (patron.monthly_price, patron.slug) == (20, "patron-tier")  # Ghost's, as asked
