"""What the scoring services share: the recorded save and the refresh after a change."""

from django.db import transaction

from workspaces.changelog import ChangeAction, change_record, changed_fields


def create_recorded(workspace, actor, instance, fields) -> None:
    """Save a new `instance` and record its creation with the given `fields`."""
    instance.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=instance,
        action=ChangeAction.CREATED,
        fields=fields,
    )


def update_recorded(workspace, actor, instance, before: dict) -> list[str]:
    """Save `instance` and record the fields that differ from `before`; returns them."""
    fields = changed_fields(before, instance)
    if not fields:
        return []
    instance.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=instance,
        action=ChangeAction.UPDATED,
        fields=fields,
    )
    return fields


def refresh_after_commit(workspace) -> None:
    """Wake the workspace's full scoring refresh (all field rules, every score) once the
    caller's transaction commits (eager in embedded mode)."""
    from ..tasks import scoring_refresh_workspace_task

    workspace_id = workspace.pk
    transaction.on_commit(lambda: scoring_refresh_workspace_task.delay(workspace_id))
