"""The calls demo: agent and queue lines, three days of calls built from events (answered,
abandoned, flagged, one ringing on the agent's line), and seeding twice adds nothing."""

import io

import pytest

from callcentre import demo
from callcentre.models import AgentLine, Call, CallStatus, QueueLine
from service import demo as service_demo
from tests.contacts.factories import ContactFactory
from tests.factories import MembershipFactory
from workspaces.roles import Role

pytestmark = [pytest.mark.django_db]


def test_the_calls_demo(scope, workspace):
    users = {
        role: MembershipFactory(workspace=workspace, role=role).user
        for role in (Role.OWNER, Role.SERVICE)
    }
    for i in range(5):
        ContactFactory(workspace=workspace, phone=f"+49301234{i:03d}")
    service_demo.seed(workspace, users, io.StringIO())
    demo.seed(workspace, users, io.StringIO())
    calls = Call.objects.all()
    assert calls.count() == demo.CALLS + 1
    assert AgentLine.objects.count() == 2 and QueueLine.objects.count() == 3
    statuses = set(calls.values_list("status", flat=True))
    assert {CallStatus.ENDED, CallStatus.ABANDONED, CallStatus.RINGING} <= statuses
    assert calls.filter(queue__isnull=False).count() == calls.count()
    assert any("unknown_agent" in call.flags for call in calls)
    assert calls.filter(contact__isnull=False).exists()
    assert calls.get(provider_call_id="demo-now").pop_agent == users[Role.SERVICE]
    demo.seed(workspace, users, io.StringIO())
    assert Call.objects.count() == demo.CALLS + 1


def test_the_calls_seeder_runs_after_service():
    from workspaces.registry import demo_seeders

    keys = [s.key for s in demo_seeders()]
    assert keys.index("service") < keys.index("callcentre_calls")
