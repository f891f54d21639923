"""How scoring plugs into the lower apps (called once from the AppConfig's ready()): its
permissions, its timeline app and its menu. Each part of the app has its own registration module
(registration_<part>.py) with a `register()` and the `NAV_PAGES` it adds to the menu, as
(key, label, url name, permission) tuples, so the parts never edit one another's lines."""

from django.utils.translation import gettext_lazy as _

from touchpoints.registry import register_timeline_app
from workspaces.registry import NavItem, register_nav
from workspaces.roles import MANAGERS, Role, register_permissions

from . import registration_rules

PARTS = (registration_rules,)


def nav_pages() -> list[tuple]:
    """The pages of the app's menu, in the order of PARTS."""
    return [page for part in PARTS for page in part.NAV_PAGES]


def register() -> None:
    """Register the app and every part; a second call raises (duplicate keys)."""
    register_permissions(
        {
            "scoring.view": MANAGERS | {Role.SALES, Role.MARKETING, Role.READONLY},
            "scoring.edit": MANAGERS | {Role.MARKETING},
        }
    )
    register_timeline_app("scoring", _("Lead scoring"))
    for part in PARTS:
        part.register()
    from . import privacy

    privacy.register()  # what the GDPR export holds of a contact (and erases)
    if not nav_pages():  # a menu entry only once the app has a page
        return
    register_nav(
        NavItem(
            key="scoring",
            label=_("Lead scoring"),
            url_name="scoring:index",
            perm="scoring.view",
            order=56,
            children=tuple(
                NavItem(key=key, label=page_label, url_name=url_name, perm=perm)
                for key, page_label, url_name, perm in nav_pages()
            ),
        )
    )
