"""Call-centre KPIs and wallboard in Chromium: a lead reads the KPI page of the demo week
with its charts drawn, opens the wallboard, and a new call that the telephony endpoint's
service stores shows up on the board without a reload; the full-screen button switches to
the kiosk layout. Screenshots in var/screenshots/."""

import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from callcentre import demo_kpis as demo
from callcentre.demo_clock import in_office_hours, workspace_zone
from callcentre.models import QueueLine
from callcentre.services.events import EventData, events_ingest
from service import demo as service_demo
from tests.contacts.factories import ContactFactory
from tests.factories import TEST_PASSWORD, MembershipFactory, WorkspaceFactory
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def centre(live_server):
    workspace = WorkspaceFactory(name="Hotline Nord", slug="hotline", time_zone="Europe/Berlin")
    users = {
        role: MembershipFactory(workspace=workspace, role=role).user
        for role in (Role.OWNER, Role.SERVICE, Role.MANAGER)
    }
    for i in range(10):
        ContactFactory(workspace=workspace, email=f"kunde{i}@example.com")
    with workspace_scope(workspace):
        service_demo.seed(workspace, users, io.StringIO())
        demo.seed(workspace, users, io.StringIO())
    return workspace, users


def test_a_lead_reads_the_kpis_and_the_wallboard_follows_a_new_call(centre, page, login_as):
    workspace, users = centre
    login_as(page, users[Role.MANAGER].email, TEST_PASSWORD)
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"/w/{workspace.slug}/callcentre/kpis/?period=last_7_days&interval=day")
    for chart in ("cc-volume-chart", "cc-sl-chart"):
        page.wait_for_function(
            "id => { const c = document.querySelector(`canvas[data-chart=${id}]`);"
            " return c && window.Chart && Chart.getChart(c) !== undefined; }",
            arg=chart,
        )
    assert page.locator("[data-testid=kpi-by-queue-row]").count() >= 3
    assert "÷" in page.locator("[data-testid=formula-service_level]").inner_text()
    shot(page, "callcentre-kpis")

    page.goto(f"/w/{workspace.slug}/callcentre/wallboard/")
    waiting = page.locator("[data-testid=wb-waiting-value]")
    # the demo's callers wait right now only when it is seeded in office hours
    open_now = in_office_hours(timezone.now(), workspace_zone(workspace))
    before = len(demo.WAITING_NOW) if open_now else 0
    assert waiting.inner_text().strip() == str(before)
    shot(page, "callcentre-wallboard")

    with workspace_scope(workspace):
        line = QueueLine.objects.filter(workspace=workspace).order_by("pk").first()
        now = timezone.now()
        events_ingest(
            workspace=workspace,
            events=[
                EventData(
                    provider="generic",
                    call_id="e2e-1",
                    event="offered",
                    at=now - datetime.timedelta(seconds=20),
                    queue=line.ref,
                    from_number="+4930555123",
                    direction="inbound",
                )
            ],
        )
    # the poll (every 5 s) brings it, the shared cache holds a board for at most 2 s
    page.wait_for_function(
        "n => document.querySelector('[data-testid=wb-waiting-value]').innerText.trim() === n",
        arg=str(before + 1),
        timeout=20_000,
    )
    assert page.url.endswith("/callcentre/wallboard/")  # no reload, no navigation

    page.click("[data-testid=wallboard-fullscreen]")
    page.wait_for_function("() => document.body.classList.contains('wallboard-kiosk')")
    assert not page.locator("nav.navbar").is_visible()
    shot(page, "callcentre-wallboard-kiosk")
