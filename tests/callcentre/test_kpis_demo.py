"""The call-centre demo: a week of calls on the service queues with abandons, short abandons,
IVR-only callers, repeat callers, sessions, targets and pending call-backs, the same every
run; seeding twice adds nothing; the KPI page and the wallboard show figures at once."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from callcentre import demo_kpis as demo
from callcentre.models import AgentLine, AgentSession, Call, QueueLine, QueueTarget
from service import demo as service_demo
from tests.conftest import login
from tests.factories import MembershipFactory
from workspaces.roles import Role

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def users(workspace):
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


def test_the_demo_has_a_week_of_calls_of_every_kind(scope, workspace, users):
    service_demo.seed(workspace, users, io.StringIO())
    demo.seed(workspace, users, io.StringIO())
    got = outcomes(workspace)
    assert got["total"] > 300
    assert got["abandoned"] > 10 and got["short"] > 0 and got["ivr"] > 0
    assert got["outbound"] > 0 and got["waiting"] == 2
    assert QueueTarget.objects.count() == 3 and QueueLine.objects.count() == 3
    assert AgentLine.objects.count() == 3 and AgentSession.objects.exists()
    numbers = Call.objects.filter(direction="inbound").exclude(caller_number="")
    assert numbers.values("caller_number").distinct().count() < numbers.count()  # repeats
    first_day = timezone.localdate() - timezone.timedelta(days=6)
    assert Call.objects.filter(offered_at__date__lt=first_day).count() == 0
    demo.seed(workspace, users, io.StringIO())  # a second run adds nothing
    assert outcomes(workspace) == got


def test_the_demo_is_deterministic(scope, workspace, users, other_workspace):
    service_demo.seed(workspace, users, io.StringIO())
    demo.seed(workspace, users, io.StringIO())
    waits = list(
        Call.objects.filter(workspace=workspace)
        .order_by("offered_at", "id")
        .values_list("status", "wait_seconds")[:50]
    )
    Call.objects.filter(workspace=workspace).delete()
    demo.seed(workspace, users, io.StringIO())
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
    assert 'data-testid="wb-waiting-value">2<' in board.content.decode()


def test_the_week_follows_the_calls_demo_and_reuses_its_lines(scope, workspace, users):
    from callcentre import demo as calls_demo

    service_demo.seed(workspace, users, io.StringIO())
    calls_demo.seed(workspace, users, io.StringIO())
    lines = QueueLine.objects.count()
    demo.seed(workspace, users, io.StringIO())
    assert Call.objects.filter(provider=demo.PROVIDER).count() > 300
    assert QueueLine.objects.count() == lines  # every queue was mapped already
    assert QueueTarget.objects.count() == 3
