"""Capacity planning in Chromium: a call-centre lead opens the plan of a queue from four weeks
of call history and sees the chart drawn (bars of agents, a line of calls) and the table per
interval (screenshot: test-artifacts/screenshots/callcentre-planning.png)."""

import datetime

import pytest

from tests.callcentre.planning_factories import calls_make
from tests.factories import TEST_PASSWORD, MembershipFactory, WorkspaceFactory
from tests.service.quality_factories import queue_make
from workspaces.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DAY = datetime.date(2026, 11, 30)  # a Monday
UTC = datetime.UTC
# calls per 30 minutes from 08:00 to 16:30: a morning peak and an after-lunch peak
PROFILE = [20, 45, 70, 80, 65, 50, 40, 35, 55, 60, 50, 40, 30, 25, 20, 15, 10, 5]


@pytest.fixture
def hotline(live_server):
    workspace = WorkspaceFactory(name="Stadtwerke", slug="stadtwerke")
    lead = MembershipFactory(workspace=workspace, role=Role.MANAGER).user
    queue = queue_make(workspace, "Hotline")
    for weeks in range(1, 5):
        day = DAY - datetime.timedelta(weeks=weeks)
        for i, count in enumerate(PROFILE):
            start = datetime.datetime.combine(day, datetime.time(8), tzinfo=UTC)
            calls_make(
                workspace,
                queue=queue,
                start=start + datetime.timedelta(minutes=30 * i),
                count=count + weeks,
                spread_seconds=1700,
            )
    return workspace, lead, queue


def test_the_lead_sees_the_plan_with_its_chart_and_table(hotline, page, login_as, screenshot):
    workspace, lead, queue = hotline
    login_as(page, lead.email, TEST_PASSWORD)
    page.goto(
        f"/w/{workspace.slug}/callcentre/planning/?queue={queue.pk}&day={DAY.isoformat()}"
        "&interval=30&source=history&weeks=4&shrinkage=30&target_sl=80&answer_within=20"
    )
    canvas = page.locator("canvas[data-testid=planning-chart]")
    page.wait_for_selector("canvas[data-testid=planning-chart][data-chart-ready='1']")
    box = canvas.bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    # the chart has its three series: agents, scheduled (bars) and calls (line)
    types = page.evaluate(
        "() => document.querySelector('canvas[data-testid=planning-chart]').chart"
        ".data.datasets.map(d => d.type || 'bar')"
    )
    assert types == ["bar", "bar", "line"]
    # something is painted on the canvas (not all pixels transparent)
    painted = page.evaluate(
        """() => { const c = document.querySelector('canvas[data-testid=planning-chart]');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }"""
    )
    assert painted > 1000
    rows = page.locator("[data-testid=planning-table] tbody tr")
    assert rows.count() == len(PROFILE)
    assert rows.first.locator("th").inner_text() == "08:00"
    peak = int(page.locator("[data-testid=plan-peak]").inner_text())
    assert peak > 10
    screenshot(page, "callcentre-planning")
