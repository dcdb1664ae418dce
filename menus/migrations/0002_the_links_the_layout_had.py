from django.db import migrations

from menus.defaults import LINKS, add_default_links


def add_links(apps, schema_editor):
    add_default_links(apps.get_model("menus", "MenuLink"))


def remove_links(apps, schema_editor):
    MenuLink = apps.get_model("menus", "MenuLink")
    for menu, order, name in LINKS:
        MenuLink.objects.filter(menu=menu, order=order, site_page=name).delete()


class Migration(migrations.Migration):
    dependencies = [("menus", "0001_initial")]

    operations = [migrations.RunPython(add_links, remove_links)]
