"""Writes of activities: create, update, complete (logged on the timeline), reopen, delete,
and the once-only claim of a reminder (released for a retry, or given up, when its email
fails)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from touchpoints.channels import Channel
from touchpoints.models import Direction
from touchpoints.services import interaction_record
from workspaces.changelog import ChangeAction, change_record, snapshot, update_recorded

from ..models import (
    Activity,
    ActivityType,
)
from ._common import (
    _check_unknown,
    _create_recorded,
    _delete_recorded,
    _full_clean,
    _owner_check,
    _require_same_workspace,
    _same_workspace,
    _update_recorded,
)

ACTIVITY_FIELDS = frozenset(
    {
        "type",
        "subject",
        "notes",
        "due_at",
        "duration_seconds",
        "owner",
        "contact",
        "deal",
        "reminder_at",
    }
)


def _activity_checks(workspace, activity: Activity, errors: dict) -> None:
    _same_workspace(workspace, activity.contact, "contact", errors)
    _same_workspace(workspace, activity.deal, "deal", errors)
    if activity.reminder_at and activity.due_at and activity.reminder_at > activity.due_at:
        errors["reminder_at"] = [_("The reminder must be before the due time.")]


@transaction.atomic
def activity_create(*, workspace, actor, **fields) -> Activity:
    """Create an activity; linked to a deal only, it takes the deal's contact. The owner must be
    a member; contact and deal must be of this workspace; the reminder comes before the due
    time. Recorded as a change event."""
    _check_unknown(fields, ACTIVITY_FIELDS)
    errors: dict = {}
    _owner_check(workspace, fields.get("owner"), errors)
    activity = Activity(workspace=workspace, **fields)
    if activity.contact is None and activity.deal is not None and activity.deal.contact_id:
        activity.contact = activity.deal.contact
    _activity_checks(workspace, activity, errors)
    _full_clean(activity, errors)
    _create_recorded(
        workspace, actor, activity, fields=[k for k, v in fields.items() if v not in (None, "")]
    )
    return activity


@transaction.atomic
def activity_update(*, workspace, actor, activity: Activity, **fields) -> Activity:
    """Change an activity's fields. A changed reminder time is sent again (its sent mark is
    cleared). Same checks as activity_create; the changed fields are recorded."""
    _require_same_workspace(workspace, activity, "activity")
    _check_unknown(fields, ACTIVITY_FIELDS)
    errors: dict = {}
    if "owner" in fields:
        _owner_check(workspace, fields["owner"], errors)
    before = snapshot(activity)
    for key, value in fields.items():
        setattr(activity, key, value)
    if before["reminder_at"] != activity.reminder_at:
        activity.reminder_sent_at = None
        activity.reminder_attempts, activity.reminder_failed_at = 0, None
        activity.reminder_error = ""
    _activity_checks(workspace, activity, errors)
    _full_clean(activity, errors)
    _update_recorded(workspace, actor, activity, before)
    return activity


LOGGED_KIND = {
    ActivityType.CALL: ("call.logged", Channel.PHONE),
    ActivityType.MEETING: ("meeting.logged", Channel.MEETING),
}


@transaction.atomic
def activity_complete(
    *,
    workspace,
    actor,
    activity: Activity,
    outcome: str = "",
    notes: str | None = None,
    done_at=None,
) -> Activity:
    """Mark an activity done (once). A completed call or meeting is logged on the contact's
    timeline (call.logged / meeting.logged). `done_at` (aware; default now) is when it was
    done, for one recorded afterwards: the touch point is dated then. ValidationError for a
    `done_at` in the future."""
    _require_same_workspace(workspace, activity, "activity")
    now = timezone.now()
    if done_at is not None and done_at > now:
        raise ValidationError({"done_at": _("An activity cannot be done in the future.")})
    done = done_at or now
    updated = Activity.objects.filter(
        workspace=workspace, pk=activity.pk, done_at__isnull=True
    ).update(
        done_at=done,
        outcome=(outcome or "")[:200],
        updated_at=now,
        **({"notes": notes} if notes is not None else {}),
    )
    if not updated:
        raise ValidationError(_("This activity is done already."))
    activity.done_at, activity.outcome = done, (outcome or "")[:200]
    if notes is not None:
        activity.notes = notes
    logged = LOGGED_KIND.get(activity.type)
    contact = activity.contact
    account = activity.deal.account if activity.deal_id and activity.deal.account_id else None
    if logged and (contact is not None or account is not None):
        kind, channel = logged
        interaction_record(
            workspace=workspace,
            actor=actor,
            contact=contact,
            account=account if contact is None else None,
            kind=kind,
            channel=channel,
            direction=Direction.OUTBOUND,
            app="sales",
            occurred_at=done,
            subject=activity.subject,
            body=activity.notes,
            outcome=activity.outcome,
            duration_seconds=activity.duration_seconds,
            source=activity,
            data={"activity_id": activity.pk, "deal_id": activity.deal_id},
        )
    change_record(
        workspace=workspace,
        actor=actor,
        instance=activity,
        action=ChangeAction.UPDATED,
        fields=["done_at", "outcome"],
    )
    return activity


@transaction.atomic
def activity_reopen(*, workspace, actor, activity: Activity) -> Activity:
    """Mark a done activity open again (`done_at` cleared) and record the change."""
    _require_same_workspace(workspace, activity, "activity")
    Activity.objects.filter(workspace=workspace, pk=activity.pk).update(
        done_at=None, updated_at=timezone.now()
    )
    activity.done_at = None
    change_record(
        workspace=workspace,
        actor=actor,
        instance=activity,
        action=ChangeAction.UPDATED,
        fields=["done_at"],
    )
    return activity


@transaction.atomic
def activity_delete(*, workspace, actor, activity: Activity) -> None:
    """Delete an activity and record the deletion."""
    _require_same_workspace(workspace, activity, "activity")
    _delete_recorded(workspace, actor, activity)


@transaction.atomic
def activity_reminder_claim(*, workspace_id: int, activity_id: int) -> bool:
    """Claim the reminder of one activity: one conditional UPDATE, so of two runs only one
    wins and sends (a retry never sends twice). The claim and its change event commit
    together."""
    claimed = (
        Activity.objects.filter(
            workspace_id=workspace_id,
            pk=activity_id,
            reminder_sent_at__isnull=True,
            done_at__isnull=True,
        ).update(reminder_sent_at=timezone.now())
        == 1
    )
    if claimed:
        change_record(
            workspace=workspace_id,
            actor=None,
            instance=Activity(pk=activity_id),
            action=ChangeAction.UPDATED,
            fields=["reminder_sent_at"],
        )
    return claimed


REMINDER_MAX_ATTEMPTS = 3


@transaction.atomic
def activity_reminder_release(*, workspace_id: int, activity_id: int) -> bool:
    """Give a claimed reminder back (the mail server was unreachable: not this reminder's
    fault, so no attempt is counted); the retry of the task sends it (`reminder_sent_at`
    cleared, recorded). Returns whether a claim was released."""
    released = update_recorded(
        workspace=workspace_id,
        actor=None,
        queryset=Activity.objects.filter(
            workspace_id=workspace_id, pk=activity_id, reminder_sent_at__isnull=False
        ),
        reminder_sent_at=None,
    )
    return bool(released)


@transaction.atomic
def activity_reminder_failed(*, workspace_id: int, activity_id: int, error: str) -> str:
    """Record that the email of one claimed reminder failed (a refused address, a broken
    message…). The claim is released so the next run tries again; after
    REMINDER_MAX_ATTEMPTS the reminder is given up (`reminder_failed_at` set) and stays
    visible with its error. Returns "retry" or "failed". One conditional UPDATE, recorded."""
    now = timezone.now()
    row = (
        Activity.objects.select_for_update()
        .filter(workspace_id=workspace_id, pk=activity_id)
        .values("reminder_attempts")
        .first()
    )
    if row is None:
        return "failed"
    attempts = row["reminder_attempts"] + 1
    given_up = attempts >= REMINDER_MAX_ATTEMPTS
    Activity.objects.filter(workspace_id=workspace_id, pk=activity_id).update(
        reminder_attempts=attempts,
        reminder_error=(error or "")[:300],
        reminder_sent_at=None,
        reminder_failed_at=now if given_up else None,
        updated_at=now,
    )
    change_record(
        workspace=workspace_id,
        actor=None,
        instance=Activity(pk=activity_id),
        action=ChangeAction.UPDATED,
        fields=["reminder_attempts", "reminder_error", "reminder_failed_at", "reminder_sent_at"],
    )
    return "failed" if given_up else "retry"
