"""The audit log (issue 26): `audit_record` appends one `AuditEntry`.

Call it in the service that does the thing, inside its transaction, after the writes: an
entry exists exactly when the action happened. Bulk actions (imports, exports, bulk views,
bulk edits) write one entry with counts in `details`, never one per row.
"""

from django.db import models

from .models import AuditAction, AuditEntry
from .scoping import workspace_scope_unless_scoped

__all__ = ["AuditAction", "audit_record"]


def audit_record(
    *,
    workspace,
    actor,
    action: str,
    instance: models.Model | None = None,
    object_type: str = "",
    object_id: int | None = None,
    object_repr: str = "",
    changes: dict | None = None,
    details: dict | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Append one audit entry and return it.

    `workspace`: a Workspace or its id. `actor`: a user, or None for the system (tasks,
    schedules). `action`: an `AuditAction` value. The record is `instance` (its model label,
    pk and str, cut to 200 characters) or the explicit `object_type`/`object_id`/`object_repr`.
    `changes`: {"field": [old, new]} with JSON-able values. Raises ValueError for an unknown
    action."""
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_id = instance.pk if object_id is None else object_id
        object_repr = object_repr or str(instance)
    user = actor if getattr(actor, "is_authenticated", False) else None
    workspace_id = getattr(workspace, "pk", workspace)
    with workspace_scope_unless_scoped(workspace_id):
        return AuditEntry.all_workspaces.create(
            workspace_id=workspace_id,
            actor=user,
            actor_label=getattr(user, "email", "") if user else "",
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=(object_repr or "")[:200],
            changes=changes or {},
            details=details or {},
            ip_address=ip_address,
        )
