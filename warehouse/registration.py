"""How warehouse plugs into the platform (called once from the AppConfig's ready()): its
permissions and its tables."""

from workspaces.roles import LEADS, register_permissions

from . import tables


def register() -> None:
    """Register the permissions and every table; a second call raises (duplicate keys)."""
    register_permissions(
        {
            # the export status page; running an export by hand
            "warehouse.view": LEADS,
            "warehouse.run": LEADS,
        }
    )
    tables.register()
