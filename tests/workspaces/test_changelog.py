"""The change log: bulk writes append one event per object, on every database backend."""

from workspaces.changelog import ChangeAction, change_record_many
from workspaces.models import ChangeEvent, Membership


def test_change_record_many_appends_one_event_per_id_in_sequence(workspace, owner):
    count = change_record_many(
        workspace=workspace,
        actor=owner,
        model=Membership,
        object_ids=[7, 8, 9],
        action=ChangeAction.UPDATED,
        fields=["role", "note"],
    )
    events = list(
        ChangeEvent.all_workspaces.filter(model="workspaces.membership", object_id__gte=7).order_by(
            "id"
        )
    )
    assert count == 3
    assert [e.object_id for e in events] == [7, 8, 9]
    assert all(e.workspace_id == workspace.pk and e.actor_id == owner.pk for e in events)
    assert events[0].fields == ["note", "role"] and events[0].data == {}
    assert events[0].action == "updated"


def test_change_record_many_with_no_ids_writes_nothing(workspace, owner):
    before = ChangeEvent.all_workspaces.count()
    assert (
        change_record_many(
            workspace=workspace, actor=None, model=Membership, object_ids=[], action="deleted"
        )
        == 0
    )
    assert ChangeEvent.all_workspaces.count() == before
