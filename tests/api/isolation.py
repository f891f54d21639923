"""Isolation cases of the API key pages (tests/isolation.py)."""

from api.models import ApiKey
from tests.isolation import register


@register("api:key_revoke")
def api_key_in(workspace, user):
    api_key = ApiKey.all_workspaces.create(
        workspace=workspace,
        name="Shop",
        prefix=f"iso{workspace.pk:09d}",
        key_hash="0" * 64,
        role="readonly",
    )
    return {"pk": api_key.pk}, api_key
