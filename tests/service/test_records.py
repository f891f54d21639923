"""Case numbers under concurrency, the change log of case writes, and a removed member's
service work handed over."""

import threading

import pytest
from django.db import OperationalError, connection, transaction

from service.models import Case, CaseStatus, Queue, QueueMember
from service.services import setup
from service.services.cases import case_assign, case_change_status, case_number_next
from tests.service import factories as f
from workspaces.models import ChangeEvent, Membership
from workspaces.roles import Role
from workspaces.scoping import workspace_scope
from workspaces.services import membership_remove


def _draw_retrying(workspace):
    """SQLite's shared test database refuses a second writer at once instead of waiting
    (PostgreSQL waits for the row lock); retry as a busy timeout would."""
    while True:
        try:
            with workspace_scope(workspace), transaction.atomic():
                return case_number_next(workspace=workspace)
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise


@pytest.mark.django_db(transaction=True)
def test_concurrent_cases_never_share_a_number(workspace):
    numbers, errors = [], []

    def draw():
        try:
            for _ in range(5):
                numbers.append(_draw_retrying(workspace))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(numbers) == list(range(1, 21))


@pytest.mark.django_db
def test_a_rolled_back_case_gives_its_number_back(workspace):
    with workspace_scope(workspace):
        with pytest.raises(RuntimeError), transaction.atomic():
            case_number_next(workspace=workspace)
            raise RuntimeError
        assert case_number_next(workspace=workspace) == 1


@pytest.mark.django_db
@pytest.mark.in_scope
def test_case_writes_are_in_the_change_log(workspace, member_factory):
    agent = member_factory(Role.SERVICE)
    case = f.new_case(workspace)
    case_assign(workspace=workspace, actor=agent, case=case, assignee=agent)
    case_change_status(workspace=workspace, actor=agent, case=case, status=CaseStatus.PENDING)
    events = ChangeEvent.objects.filter(model="service.case", object_id=case.pk).order_by("seq")
    assert [e.action for e in events][0] == "created"
    fields = [set(e.fields) for e in events[1:]]
    assert {"assignee"} in fields
    assert any({"status", "paused_since"} <= f for f in fields)
    assert all(e.actor_id == agent.pk for e in events[1:])


@pytest.mark.django_db
@pytest.mark.in_scope
def test_a_removed_members_cases_and_queues_are_handed_over(workspace, owner, member_factory):
    leaving, successor = member_factory(Role.SERVICE), member_factory(Role.SERVICE)
    queue = f.queue(workspace, lead=leaving)
    setup.queue_member_set(workspace=workspace, actor=None, queue=queue, user=leaving)
    open_case = f.new_case(workspace, assignee=leaving)
    done_case = f.new_case(workspace, assignee=leaving)
    case_change_status(workspace=workspace, actor=None, case=done_case, status=CaseStatus.CLOSED)
    membership = Membership.objects.get(workspace=workspace, user=leaving)
    handed = membership_remove(
        workspace=workspace, actor=owner, membership=membership, successor=successor
    )
    assert handed["service.case"] == 1 and handed["service.queuemember"] == 1
    assert handed["service.queue"] == 1
    assert Case.objects.get(pk=open_case.pk).assignee == successor
    assert Case.objects.get(pk=done_case.pk).assignee == leaving  # history stays
    assert Queue.objects.get(pk=queue.pk).lead == successor
    assert not QueueMember.objects.filter(user=leaving).exists()
