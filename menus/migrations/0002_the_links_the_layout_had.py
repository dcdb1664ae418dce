from django.db import migrations

# The links the layout had before staff could edit them: (menu, order, URL name).
LINKS = [
    ("header", 10, "articles:home"),
    ("header", 20, "members:packages"),
    ("footer", 10, "articles:topic-list"),
    ("footer", 20, "articles:contributor-list"),
    ("footer", 30, "members:packages"),
    ("footer", 40, "articles:feed"),
]


def add_links(apps, schema_editor):
    MenuLink = apps.get_model("menus", "MenuLink")
    MenuLink.objects.bulk_create(
        MenuLink(menu=menu, order=order, site_page=name) for menu, order, name in LINKS
    )


def remove_links(apps, schema_editor):
    MenuLink = apps.get_model("menus", "MenuLink")
    for menu, order, name in LINKS:
        MenuLink.objects.filter(menu=menu, order=order, site_page=name).delete()


class Migration(migrations.Migration):
    dependencies = [("menus", "0001_initial")]

    operations = [migrations.RunPython(add_links, remove_links)]
