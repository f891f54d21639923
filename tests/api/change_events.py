"""A reader of the change log for the API resource tests (keys and clients: conftest)."""

from workspaces.models import ChangeEvent
from workspaces.scoping import workspace_scope


def change_events(workspace, model: str, object_id) -> list[ChangeEvent]:
    """The change events of one record (`model` as "app_label.modelname"), oldest first."""
    with workspace_scope(workspace):
        return list(
            ChangeEvent.objects.filter(
                workspace=workspace, model=model, object_id=object_id
            ).order_by("seq")
        )
