"""The call-centre demo: a week of calls on the service queues with abandons, short abandons,
IVR-only callers, repeat callers, sessions, targets and pending call-backs, the same every
run; seeding twice adds nothing; the KPI page and the wallboard show figures at once."""

import datetime
import io
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from callcentre import demo_kpis as demo
from callcentre.demo_clock import in_office_hours
from callcentre.models import AgentLine, AgentSession, Call, QueueLine, QueueTarget
from service import demo as service_demo
from tests.conftest import login
from tests.factories import MembershipFactory
from workspaces.roles import Role

pytestmark = [pytest.mark.django_db]

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
WEDNESDAY_11 = datetime.datetime(2026, 11, 25, 11, 0, tzinfo=BERLIN)
SUNDAY_NIGHT = datetime.datetime(2026, 11, 29, 23, 30, tzinfo=BERLIN)


@pytest.fixture
def users(workspace):
    workspace.time_zone = "Europe/Berlin"
    workspace.save()
    return {
        role: MembershipFactory(workspace=workspace, role=role).user
        for role in (Role.OWNER, Role.MANAGER, Role.SERVICE)
    }


def outcomes(workspace):
    calls = Call.objects.filter(workspace=workspace)
    return {
        "total": calls.count(),
        "abandoned": calls.filter(status="abandoned", queued_at__isnull=False).count(),
        "short": calls.filter(status="abandoned", wait_seconds__lt=5).count(),
        "ivr": calls.filter(status="abandoned", queued_at__isnull=True).count(),
        "outbound": calls.filter(direction="outbound").count(),
        "waiting": calls.filter(status="offered").count(),
        "callbacks": calls.filter(callback_status="pending").count(),
    }


def assert_office_hours(calls):
    """Every call offered on a weekday between 08:00 and 18:00, Berlin time."""
    for call in calls:
        local = call.offered_at.astimezone(BERLIN)
        assert local.weekday() < 5, local
        assert datetime.time(8) <= local.time() < datetime.time(18), local


def test_the_demo_has_a_week_of_calls_of_every_kind(scope, workspace, users):
    service_demo.seed(workspace, users, io.StringIO())
    demo.seed(workspace, users, io.StringIO(), now=WEDNESDAY_11)
    got = outcomes(workspace)
    assert got["total"] > 300
    assert got["abandoned"] > 10 and got["short"] > 0 and got["ivr"] > 0
    assert got["outbound"] > 0 and got["waiting"] == len(demo.WAITING_NOW) == 2
    assert_office_hours(Call.objects.all())
    # today's real abandons wait for a call-back, and there are at least three
    pending = Call.objects.filter(callback_status="pending")
    assert got["callbacks"] >= demo.CALLBACKS_PENDING
    today = WEDNESDAY_11.date()
    assert any(c.offered_at.astimezone(BERLIN).date() == today for c in pending)
    assert not pending.filter(wait_seconds__lt=5).exists()
    # every session covers its day's office hours (and is open today)
    for session in AgentSession.objects.all():
        local = session.started_at.astimezone(BERLIN)
        assert local.weekday() < 5 and local.time() <= datetime.time(8)
        assert session.ended_at is None or session.ended_at.astimezone(BERLIN).hour == 18
    assert QueueTarget.objects.count() == 3 and QueueLine.objects.count() == 3
    assert AgentLine.objects.count() == 3 and AgentSession.objects.exists()
    numbers = Call.objects.filter(direction="inbound").exclude(caller_number="")
    assert numbers.values("caller_number").distinct().count() < numbers.count()  # repeats
    first_day = datetime.datetime.combine(
        today - datetime.timedelta(days=6), datetime.time(), BERLIN
    )
    assert Call.objects.filter(offered_at__lt=first_day).count() == 0
    demo.seed(workspace, users, io.StringIO())  # a second run adds nothing
    assert outcomes(workspace) == got


def test_seeded_at_night_no_one_waits_and_call_backs_are_pending(scope, workspace, users):
    """Seeded on a Sunday night: the week's calls stay in office hours, nobody waits or
    talks, the agents' sessions are closed, and the call-backs of Friday wait."""
    service_demo.seed(workspace, users, io.StringIO())
    demo.seed(workspace, users, io.StringIO(), now=SUNDAY_NIGHT)
    got = outcomes(workspace)
    assert got["waiting"] == 0 and got["callbacks"] >= demo.CALLBACKS_PENDING
    assert_office_hours(Call.objects.all())
    assert not Call.objects.filter(status__in=("offered", "answered")).exists()
    assert not AgentSession.objects.filter(ended_at__isnull=True).exists()
    friday = datetime.date(2026, 11, 27)
    pending = Call.objects.filter(callback_status="pending")
    assert all(c.offered_at.astimezone(BERLIN).date() == friday for c in pending)


def test_the_demo_is_deterministic(scope, workspace, users, other_workspace):
    service_demo.seed(workspace, users, io.StringIO())
    demo.seed(workspace, users, io.StringIO(), now=WEDNESDAY_11)
    waits = list(
        Call.objects.filter(workspace=workspace)
        .order_by("offered_at", "id")
        .values_list("status", "wait_seconds")[:50]
    )
    Call.objects.filter(workspace=workspace).delete()
    demo.seed(workspace, users, io.StringIO(), now=WEDNESDAY_11)
    again = list(
        Call.objects.filter(workspace=workspace)
        .order_by("offered_at", "id")
        .values_list("status", "wait_seconds")[:50]
    )
    assert again == waits


def test_kpi_page_and_wallboard_show_the_demo(workspace, users):
    from workspaces.scoping import workspace_scope

    with workspace_scope(workspace):
        service_demo.seed(workspace, users, io.StringIO())
        demo.seed(workspace, users, io.StringIO())
    client = login(users[Role.SERVICE])
    page = client.get(
        reverse("callcentre:kpis", kwargs={"ws": workspace.slug}), {"period": "last_7_days"}
    )
    assert page.status_code == 200
    assert 'data-testid="kpi-by-queue-row"' in page.content.decode()
    board = client.get(reverse("callcentre:wallboard", kwargs={"ws": workspace.slug}))
    # callers wait right now only when the demo is seeded in office hours
    waiting = len(demo.WAITING_NOW) if in_office_hours(timezone.now(), BERLIN) else 0
    assert f'data-testid="wb-waiting-value">{waiting}<' in board.content.decode()
    assert 'data-testid="wb-callbacks-value">0<' not in board.content.decode()


def test_the_week_follows_the_calls_demo_and_reuses_its_lines(scope, workspace, users):
    from callcentre import demo as calls_demo

    service_demo.seed(workspace, users, io.StringIO())
    calls_demo.seed(workspace, users, io.StringIO())
    lines = QueueLine.objects.count()
    demo.seed(workspace, users, io.StringIO())
    assert Call.objects.filter(provider=demo.PROVIDER).count() > 300
    assert QueueLine.objects.count() == lines  # every queue was mapped already
    assert QueueTarget.objects.count() == 3
