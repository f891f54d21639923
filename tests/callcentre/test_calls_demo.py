"""The calls demo: agent and queue lines, three working days of calls built from events
(answered, abandoned, flagged, one ringing on the agent's line when seeded in office hours),
every call in office hours, and seeding twice adds nothing."""

import datetime
import io
import zoneinfo

import pytest

from callcentre import demo
from callcentre.models import AgentLine, Call, CallStatus, QueueLine
from service import demo as service_demo
from tests.contacts.factories import ContactFactory
from tests.factories import MembershipFactory
from workspaces.roles import Role

pytestmark = [pytest.mark.django_db]

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
WEDNESDAY_11 = datetime.datetime(2026, 11, 25, 11, 0, tzinfo=BERLIN)
MONDAY_07 = datetime.datetime(2026, 11, 30, 7, 0, tzinfo=BERLIN)
SUNDAY_NIGHT = datetime.datetime(2026, 11, 29, 23, 30, tzinfo=BERLIN)


def assert_office_hours(calls):
    """Every call offered on a weekday between 08:00 and 18:00, Berlin time."""
    for call in calls:
        local = call.offered_at.astimezone(BERLIN)
        assert local.weekday() < 5, local
        assert datetime.time(8) <= local.time() < datetime.time(18), local


def test_the_calls_demo(scope, workspace):
    users = {
        role: MembershipFactory(workspace=workspace, role=role).user
        for role in (Role.OWNER, Role.SERVICE)
    }
    for i in range(5):
        ContactFactory(workspace=workspace, phone=f"+49301234{i:03d}")
    workspace.time_zone = "Europe/Berlin"
    workspace.save()
    service_demo.seed(workspace, users, io.StringIO())
    demo.seed(workspace, users, io.StringIO(), now=WEDNESDAY_11)
    calls = Call.objects.all()
    assert_office_hours(calls)
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


@pytest.mark.parametrize("now", [MONDAY_07, SUNDAY_NIGHT])
def test_seeded_out_of_hours_the_calls_stay_in_office_hours(scope, workspace, now):
    """Seeded before opening or at the weekend: the calls fall on the working days before,
    in office hours, and nothing rings at night."""
    users = {
        role: MembershipFactory(workspace=workspace, role=role).user
        for role in (Role.OWNER, Role.SERVICE)
    }
    workspace.time_zone = "Europe/Berlin"
    workspace.save()
    service_demo.seed(workspace, users, io.StringIO())
    demo.seed(workspace, users, io.StringIO(), now=now)
    calls = Call.objects.all()
    assert calls.count() == demo.CALLS
    assert_office_hours(calls)
    assert max(c.offered_at for c in calls) < now
    assert not calls.filter(provider_call_id="demo-now").exists()


def test_the_calls_seeder_runs_after_service():
    from workspaces.registry import demo_seeders

    keys = [s.key for s in demo_seeders()]
    assert keys.index("service") < keys.index("callcentre_calls")
