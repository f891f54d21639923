"""How webhooks plugs into the platform (called once from the AppConfig's ready()): its
permissions."""

from workspaces.roles import LEADS, register_permissions


def register() -> None:
    """Register the permissions; a second call raises (duplicate keys)."""
    register_permissions(
        {
            # subscribe endpoints, see deliveries, replay one
            "webhooks.manage": LEADS,
        }
    )
