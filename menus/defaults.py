"""The links the layout had before staff could edit them: where a new site starts."""

# (menu, order, URL name of a page of the site)
LINKS = [
    ("header", 10, "articles:home"),
    ("header", 20, "members:packages"),
    ("footer", 10, "articles:topic-list"),
    ("footer", 20, "articles:contributor-list"),
    ("footer", 30, "members:packages"),
    ("footer", 40, "articles:feed"),
]


def add_default_links(link_model) -> None:
    """Make them, with `link_model`: the model, or a migration's historical one."""
    link_model.objects.bulk_create(
        link_model(menu=menu, order=order, site_page=name) for menu, order, name in LINKS
    )
