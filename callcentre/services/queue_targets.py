"""Writes of the queue targets (the goals the KPI page and the wallboard hold actuals against)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from workspaces.changelog import ChangeAction, change_record, changed_fields, snapshot
from workspaces.service_checks import check_unknown, same_workspace_require

from ..models import QueueTarget

TARGET_FIELDS = frozenset(
    {
        "service_level_percent",
        "answer_within_seconds",
        "abandon_rate_percent",
        "asa_seconds",
        "aht_seconds",
    }
)


@transaction.atomic
def queue_target_set(*, workspace, actor, queue, **fields) -> QueueTarget:
    """Create or change the target of `queue` (a service.Queue of the workspace) with the
    given TARGET_FIELDS; the others keep their value (or the model's default on creation).
    Percentages must lie within 0-100. Records the creation or the changed fields in the
    change log (nothing when no field changed). Raises ValidationError."""
    same_workspace_require(workspace=workspace, obj=queue, field="queue")
    check_unknown(fields, TARGET_FIELDS)
    for name in ("service_level_percent", "abandon_rate_percent"):
        if name in fields and not 0 <= fields[name] <= 100:
            raise ValidationError({name: _("Give a percentage between 0 and 100.")})
    target = (
        QueueTarget.objects.select_for_update().filter(workspace=workspace, queue=queue).first()
    )
    if target is None:
        target = QueueTarget(workspace=workspace, queue=queue, **fields)
        target.full_clean()
        target.save()
        change_record(
            workspace=workspace,
            actor=actor,
            instance=target,
            action=ChangeAction.CREATED,
            fields=["queue", *sorted(fields)],
        )
        return target
    before = snapshot(target)
    for name, value in fields.items():
        setattr(target, name, value)
    target.full_clean()
    changed = changed_fields(before, target)
    if changed:
        target.save()
        change_record(
            workspace=workspace,
            actor=actor,
            instance=target,
            action=ChangeAction.UPDATED,
            fields=changed,
        )
    return target
