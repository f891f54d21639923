"""The change log: events numbered per workspace by a sequence that has no gaps and no
overtaking, appended in bulk with one sequence take, read by `change_events_after`."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.contacts.factories import ContactFactory
from touchpoints.selectors import interactions_after
from touchpoints.services import interaction_record
from workspaces.changelog import (
    ChangeAction,
    change_events_after,
    change_record,
    change_record_many,
    sequence_take,
)
from workspaces.models import ChangeEvent, ChangeSequence, Membership

pytestmark = pytest.mark.in_scope


def _seqs(workspace):
    return list(
        ChangeEvent.all_workspaces.filter(workspace=workspace)
        .order_by("seq")
        .values_list("seq", flat=True)
    )


def test_change_record_many_appends_one_event_per_id_in_sequence(workspace, owner):
    start = ChangeEvent.all_workspaces.filter(workspace=workspace).count()
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
            "seq"
        )
    )
    assert count == 3
    assert [e.object_id for e in events] == [7, 8, 9]
    assert [e.seq for e in events] == [start + 1, start + 2, start + 3]
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


@pytest.mark.parametrize("rows", [1, 250, 2500])
def test_change_record_many_takes_the_sequence_once_per_batch(workspace, rows):
    with CaptureQueriesContext(connection) as queries:
        change_record_many(
            workspace=workspace,
            actor=None,
            model=Membership,
            object_ids=range(1, rows + 1),
            action=ChangeAction.CREATED,
        )
    takes = [q for q in queries.captured_queries if "changesequence" in q["sql"].lower()]
    assert len(takes) == 1
    assert _seqs(workspace) == list(range(1, rows + 1))


def test_each_workspace_counts_on_its_own(workspace, other_workspace):
    for ws in (workspace, other_workspace, workspace):
        change_record(workspace=ws, actor=None, instance=ws, action=ChangeAction.UPDATED)
    assert _seqs(workspace) == [1, 2]
    assert _seqs(other_workspace) == [1]
    assert ChangeSequence.all_workspaces.get(workspace=workspace).last == 2


def test_a_rolled_back_write_gives_its_numbers_back(workspace):
    change_record(workspace=workspace, actor=None, instance=workspace, action="updated")
    with pytest.raises(RuntimeError), transaction.atomic():
        change_record(workspace=workspace, actor=None, instance=workspace, action="updated")
        raise RuntimeError("the service failed")
    change_record(workspace=workspace, actor=None, instance=workspace, action="updated")
    assert _seqs(workspace) == [1, 2]


def test_sequence_take_reserves_a_block(workspace):
    assert sequence_take(workspace=workspace, count=3) == 1
    assert sequence_take(workspace=workspace.pk) == 4
    with pytest.raises(ValueError):
        sequence_take(workspace=workspace, count=0)


def test_touch_points_share_the_sequence_but_stay_out_of_the_change_log(workspace):
    contact = ContactFactory(workspace=workspace)
    change_record(workspace=workspace, actor=None, instance=contact, action="updated")
    interaction = interaction_record(
        workspace=workspace, kind="call.logged", channel="phone", contact=contact
    )
    change_record(workspace=workspace, actor=None, instance=contact, action="updated")
    assert interaction.seq == 2
    assert _seqs(workspace) == [1, 3]
    assert not ChangeEvent.all_workspaces.filter(model="touchpoints.interaction").exists()
    assert [i.pk for i in interactions_after(workspace=workspace, after_seq=1)] == [interaction.pk]
    assert interactions_after(workspace=workspace, after_seq=2) == []


def test_interactions_after_reads_one_workspace_only(workspace, other_workspace):
    theirs = ContactFactory(workspace=other_workspace)
    interaction_record(
        workspace=other_workspace, kind="note.added", channel="phone", contact=theirs
    )
    assert interactions_after(workspace=workspace, after_seq=0) == []
    with pytest.raises(ValueError):
        interactions_after(workspace=workspace, after_seq=0, limit=0)


def test_change_events_after_reads_in_sequence_from_the_mark(workspace, other_workspace):
    for n in range(5):
        change_record(workspace=workspace, actor=None, instance=workspace, action="updated")
        change_record(workspace=other_workspace, actor=None, instance=workspace, action="updated")
    page = change_events_after(workspace=workspace, after_seq=1, limit=3)
    assert [e.seq for e in page] == [2, 3, 4]
    assert {e.workspace_id for e in page} == {workspace.pk}
    assert [e.seq for e in change_events_after(workspace=workspace, after_seq=page[-1].seq)] == [5]
    assert change_events_after(workspace=workspace, after_seq=5) == []


@pytest.mark.parametrize("limit", [0, 10_001])
def test_change_events_after_refuses_a_limit_out_of_range(workspace, limit):
    with pytest.raises(ValueError):
        change_events_after(workspace=workspace, after_seq=0, limit=limit)


def test_one_change_event_costs_two_statements(workspace, django_assert_num_queries):
    # the sequence take (one upsert) and the insert
    with django_assert_num_queries(2):
        event = change_record(workspace=workspace, actor=None, instance=workspace, action="created")
    assert event.seq == 1
