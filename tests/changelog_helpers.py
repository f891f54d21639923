"""Reading the change log in tests: what was recorded after a mark."""

from workspaces.changelog import change_events_after
from workspaces.models import ChangeSequence


def mark(workspace) -> int:
    """The workspace's last sequence number so far (0 before the first event)."""
    row = ChangeSequence.all_workspaces.filter(workspace=workspace).first()
    return row.last if row else 0


def events_since(workspace, after: int) -> list:
    """The events after `after` as (model, object_id, action, fields) in sequence order."""
    return [
        (e.model, e.object_id, e.action, tuple(e.fields))
        for e in change_events_after(workspace=workspace, after_seq=after, limit=10_000)
    ]


def event_data_since(workspace, after: int) -> dict:
    """{(model, object_id, action): data} of the events after `after`."""
    return {
        (e.model, e.object_id, e.action): e.data
        for e in change_events_after(workspace=workspace, after_seq=after, limit=10_000)
    }
