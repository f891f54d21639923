"""The trigger cursors: where a workspace's trigger consumer continues each stream."""

from workspaces.models import ChangeSequence

from ..models import CursorStream, TriggerCursor


def stream_head(*, workspace) -> int:
    """The newest `seq` the workspace has handed out (0 before the first)."""
    last = ChangeSequence.objects.filter(workspace=workspace).values_list("last", flat=True).first()
    return last or 0


def cursors_ensure(*, workspace) -> None:
    """Create the workspace's cursors at the head of its history if missing (when the first
    journey goes live): what happened before never triggers a journey, and every event from
    then on is read (the cursor exists before any later event commits)."""
    head = stream_head(workspace=workspace)
    for stream in CursorStream.values:
        TriggerCursor.objects.get_or_create(
            workspace=workspace, stream=stream, defaults={"last_seq": head}
        )
