"""How api plugs into the platform (called once from the AppConfig's ready()): its permissions
and its resources."""

from workspaces.roles import LEADS, register_permissions

from . import resources, schema  # noqa: F401 - schema registers the OpenAPI auth extension


def register() -> None:
    """Register the permissions; a second call raises (duplicate keys)."""
    register_permissions(
        {
            # create and revoke the workspace's API keys
            "api.keys": LEADS,
        }
    )
    resources.register()
