"""How api plugs into the platform (called once from the AppConfig's ready()): its permissions,
the touch point kinds other systems send, and its resources."""

from django.utils.translation import gettext_lazy as _

from touchpoints.registry import register_interaction_kind, register_timeline_app
from workspaces import lifecycle
from workspaces.roles import LEADS, register_permissions

from . import resources, schema  # noqa: F401 - schema registers the OpenAPI auth extension
from .external_kinds import EXTERNAL_APP, EXTERNAL_KINDS
from .services.keys import api_keys_of_member_revoke


def register() -> None:
    """Register the permissions, the touch point kinds of other systems and the resources; a
    second call raises (duplicate keys)."""
    register_permissions(
        {
            # create and revoke the workspace's API keys
            "api.keys": LEADS,
        }
    )
    # touch points other systems send (POST /api/v1/interactions/ and …/bulk/); they may
    # also send any other registered kind (call.logged, form.submitted, …)
    register_timeline_app(EXTERNAL_APP, _("Other systems"))
    for key, label in EXTERNAL_KINDS.items():
        register_interaction_kind(key, label, app=EXTERNAL_APP)
    # keys stop with their creator's membership
    lifecycle.on_member_removed.register("api.keys", api_keys_of_member_revoke)
    lifecycle.on_user_deactivated.register("api.keys", api_keys_of_member_revoke)
    resources.register()
