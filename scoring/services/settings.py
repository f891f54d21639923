"""The workspace's scoring settings: half-life, threshold and the owner given on crossing."""

from django.db import transaction

from workspaces.changelog import snapshot
from workspaces.service_checks import full_clean_into, owner_check, raise_if

from ..models import ScoringSettings
from ._common import create_recorded, refresh_after_commit, update_recorded


@transaction.atomic
def scoring_settings_update(
    *, workspace, actor, half_life_days: int, threshold: int | None, owner=None
) -> ScoringSettings:
    """Create or change the workspace's settings row (ValidationError keyed by field: a
    half-life out of 1..3650 days, an owner who is not a member). Records the change; when
    something changed, every score is recomputed after commit (a new threshold may be
    crossed)."""
    errors: dict = {}
    owner_check(workspace=workspace, owner=owner, errors=errors)
    row = ScoringSettings.objects.filter(workspace=workspace).first()
    is_new = row is None
    if is_new:
        row = ScoringSettings(workspace=workspace)
    before = snapshot(row)
    row.half_life_days, row.threshold, row.owner = half_life_days, threshold, owner
    full_clean_into(row, errors, exclude=["workspace"])
    raise_if(errors)
    if is_new:
        create_recorded(workspace, actor, row, ["half_life_days", "threshold", "owner"])
        refresh_after_commit(workspace)
    elif update_recorded(workspace, actor, row, before):
        refresh_after_commit(workspace)
    return row
