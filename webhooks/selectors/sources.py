"""What the dispatcher reads: the workspace's change events and touch points after a `seq`,
and the webhook events they make.

Both streams are numbered from the workspace's one change sequence, whose row lock is held
until each writing transaction commits, so every `seq` at or below one that is visible has
committed too (DESIGN.md §8). The dispatcher therefore needs a single cursor: it reads up to
SOURCE_BATCH of each stream after it and handles the merged rows up to `cut`, the highest
`seq` that both reads are complete to.

The mapping (event type ← source):

| type                 | source                                                              |
|----------------------|---------------------------------------------------------------------|
| contact.created      | change event contacts.contact created                               |
| contact.updated      | change event contacts.contact updated (the changed fields)          |
| deal.stage_changed   | change event sales.deal updated with "stage" in its fields          |
| deal.won             | the same, when the new stage's kind is "won"                        |
| case.created         | change event service.case created                                   |
| case.resolved        | change event service.case updated with "resolved_at" in its fields  |
| campaign.sent        | change event marketing.campaign updated with data status "sent"     |
| interaction.recorded | every touch point                                                   |
| unsubscribe          | touch point of kind campaign.unsubscribed                           |
"""

from dataclasses import dataclass, field

from sales.models import Stage, StageKind
from service.models import Case
from touchpoints.models import Interaction
from touchpoints.selectors import interactions_after
from workspaces.changelog import change_events_after
from workspaces.models import ChangeEvent

from ..models import EventType

SOURCE_BATCH = 1000  # rows read per stream and dispatch step
UNSUBSCRIBE_KIND = "campaign.unsubscribed"

RESOURCES = {  # payload object -> REST API path segment
    "contact": "contacts",
    "deal": "deals",
    "case": "cases",
    "campaign": "campaigns",
    "interaction": "interactions",
}


@dataclass(frozen=True)
class OutEvent:
    """One webhook event to store: its `type`, the source `seq` and the JSON `payload`."""

    type: str
    seq: int
    payload: dict


@dataclass
class SourceBatch:
    """The rows after a cursor: change events and touch points with `seq` <= `cut`, and
    `cut`, where the cursor moves after they are handled (None: nothing new)."""

    changes: list = field(default_factory=list)
    interactions: list = field(default_factory=list)
    cut: int | None = None


def sources_after(*, workspace, after_seq: int, limit: int = SOURCE_BATCH) -> SourceBatch:
    """The change events and touch points of `workspace` after `after_seq`: up to `limit` of
    each, cut to the highest `seq` that both reads are complete to (a stream that returned
    `limit` rows may have more beyond its last). Two queries."""
    changes = change_events_after(workspace=workspace, after_seq=after_seq, limit=limit)
    touches = interactions_after(workspace=workspace, after_seq=after_seq, limit=limit)
    if not changes and not touches:
        return SourceBatch()
    ends = [rows[-1].seq for rows in (changes, touches) if len(rows) >= limit]
    cut = min(ends) if ends else max(rows[-1].seq for rows in (changes, touches) if rows)
    return SourceBatch(
        changes=[row for row in changes if row.seq <= cut],
        interactions=[row for row in touches if row.seq <= cut],
        cut=cut,
    )


def _data(workspace, obj: str, pk: int, seq: int, changed=(), **details) -> dict:
    return {
        "object": obj,
        "id": pk,
        "workspace": workspace.slug,
        "sequence": seq,
        "changed": list(changed),
        "url": f"/api/v1/{RESOURCES[obj]}/{pk}/",
        **details,
    }


def _envelope(event_type: str, at, data: dict) -> dict:
    return {"type": event_type, "timestamp": at.isoformat(), "data": data}


def _change_events(workspace, row: ChangeEvent, stages: dict, cases: dict) -> list[OutEvent]:
    label, action, fields = row.model, row.action, list(row.fields or [])
    out: list[tuple[str, dict]] = []
    if label == "contacts.contact" and action in ("created", "updated"):
        event_type = EventType.CONTACT_CREATED if action == "created" else EventType.CONTACT_UPDATED
        out.append((event_type, _data(workspace, "contact", row.object_id, row.seq, fields)))
    elif label == "sales.deal" and action == "updated" and "stage" in fields:
        data = row.data or {}
        to_stage = stages.get(data.get("to_stage"))
        details = {
            "from_stage": _stage_detail(stages.get(data.get("from_stage"))),
            "to_stage": _stage_detail(to_stage),
        }
        base = _data(workspace, "deal", row.object_id, row.seq, fields, **details)
        out.append((EventType.DEAL_STAGE_CHANGED, base))
        if to_stage is not None and to_stage.kind == StageKind.WON:
            out.append((EventType.DEAL_WON, dict(base)))
    elif label == "service.case" and action == "created":
        details = {"status": cases.get(row.object_id, "")}
        out.append(
            (EventType.CASE_CREATED, _data(workspace, "case", row.object_id, row.seq, **details))
        )
    elif label == "service.case" and action == "updated" and "resolved_at" in fields:
        details = {"status": cases.get(row.object_id, "")}
        data = _data(workspace, "case", row.object_id, row.seq, fields, **details)
        out.append((EventType.CASE_RESOLVED, data))
    elif (
        label == "marketing.campaign"
        and action == "updated"
        and (row.data or {}).get("status") == "sent"
    ):
        data = _data(workspace, "campaign", row.object_id, row.seq, fields, status="sent")
        out.append((EventType.CAMPAIGN_SENT, data))
    return [OutEvent(str(t), row.seq, _envelope(str(t), row.created_at, data)) for t, data in out]


def _stage_detail(stage) -> dict | None:
    if stage is None:
        return None
    return {"id": stage.pk, "name": stage.name, "kind": stage.kind}


def _interaction_events(workspace, row: Interaction) -> list[OutEvent]:
    details = {
        "kind": row.kind,
        "channel": row.channel,
        "direction": row.direction,
        "contact_id": row.contact_id,
        "account_id": row.account_id,
        "occurred_at": row.occurred_at.isoformat(),
    }
    data = _data(workspace, "interaction", row.pk, row.seq, **details)
    out = [
        OutEvent(
            EventType.INTERACTION_RECORDED.value,
            row.seq,
            _envelope(EventType.INTERACTION_RECORDED.value, row.created_at, data),
        )
    ]
    if row.kind == UNSUBSCRIBE_KIND and row.contact_id is not None:
        unsubscribed = _data(
            workspace,
            "contact",
            row.contact_id,
            row.seq,
            ["email_opt_in"],
            interaction_id=row.pk,
            channel=row.channel,
        )
        out.append(
            OutEvent(
                EventType.UNSUBSCRIBE.value,
                row.seq,
                _envelope(EventType.UNSUBSCRIBE.value, row.created_at, unsubscribed),
            )
        )
    return out


def events_from_sources(*, workspace, batch: SourceBatch, wanted: set[str]) -> list[OutEvent]:
    """The webhook events of `batch` whose type is in `wanted` (the types some enabled
    endpoint subscribes to), in `seq` order. At most two queries (the stages of the deal
    moves, the statuses of the cases), made only when such rows are in the batch."""
    stages: dict = {}
    cases: dict = {}
    stage_ids = {
        value
        for row in batch.changes
        if row.model == "sales.deal" and "stage" in (row.fields or [])
        for value in ((row.data or {}).get("from_stage"), (row.data or {}).get("to_stage"))
        if value is not None
    }
    if stage_ids and wanted & {EventType.DEAL_STAGE_CHANGED, EventType.DEAL_WON}:
        stages = {s.pk: s for s in Stage.objects.filter(workspace=workspace, pk__in=stage_ids)}
    case_ids = {row.object_id for row in batch.changes if row.model == "service.case"}
    if case_ids and wanted & {EventType.CASE_CREATED, EventType.CASE_RESOLVED}:
        cases = dict(
            Case.objects.filter(workspace=workspace, pk__in=case_ids).values_list("pk", "status")
        )
    out: list[OutEvent] = []
    for row in batch.changes:
        out += _change_events(workspace, row, stages, cases)
    if wanted & {EventType.INTERACTION_RECORDED, EventType.UNSUBSCRIBE}:
        for row in batch.interactions:
            out += _interaction_events(workspace, row)
    out.sort(key=lambda e: e.seq)
    return [e for e in out if e.type in wanted]
