"""The wallboard: today so far and right now on the fixture day, the queue set, the page and
its polled fragment in a fixed handful of queries, cached for two seconds."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from callcentre.models import AgentSession
from callcentre.selectors.wallboard import wallboard_cached, wallboard_data
from tests.callcentre import kpi_fixture as fx
from tests.callcentre.kpi_factories import call_make, fixture_day
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.django_db]

NOW = fx.local(16, 11, 35)  # call 12 has waited since 11:30:05, ann is talking (call 8)


@pytest.fixture
def day(workspace, member_factory):
    data = fixture_day(workspace, member_factory)
    AgentSession.all_workspaces.create(
        workspace=workspace, agent=data["agents"]["bob"], started_at=fx.local(16, 11)
    )
    return data


def test_today_so_far_and_now_on_the_fixture_day(workspace, day):
    with timezone.override(fx.TZ), workspace_scope(workspace):
        board = wallboard_data(workspace=workspace, now=NOW)
    total = board["total"]
    # today before 11:35: 1-8, 10, 12 (17 comes at 11:40, 9 is incomplete)
    assert total["values"]["offered"] == 10
    assert total["values"]["answered"] == 5  # 1, 2, 5, 7, 8
    assert total["values"]["abandoned"] == 2  # 3, 10
    assert total["values"]["short_abandoned"] == 1
    assert total["values"]["service_level"] == 42.9  # 1, 5, 8 of 7
    assert total["waiting"] == 1
    assert total["longest_wait_now"] == 295  # 11:30:05 → 11:35:00
    assert board["agents_talking"] == 1  # ann on call 8
    assert board["agents_logged_in"] == 1  # bob's open session
    by_name = {q["name"]: q for q in board["queues"]}
    assert by_name["A"]["waiting"] == 1 and by_name["B"]["waiting"] == 0
    assert by_name["B"]["values"]["service_level"] == 33.3  # 5 of 5, 7, 10 (T 30 s)
    assert by_name["B"]["met"]["service_level"] is False  # target 70 %


def test_a_queue_set_shows_its_queues_only(workspace, day):
    queue_b = day["queues"]["B"]
    with timezone.override(fx.TZ), workspace_scope(workspace):
        board = wallboard_data(workspace=workspace, queue_ids=(queue_b.pk,), now=NOW)
    assert [q["name"] for q in board["queues"]] == ["B"]
    assert board["total"]["values"]["offered"] == 3  # 5, 7, 10 (13 comes at 23:30)
    assert board["total"]["waiting"] == 0
    assert board["total"]["target"].service_level_percent == 70  # the single queue's target


def test_wallboard_page_polls_its_fragment_and_offers_full_screen(workspace, day, client_for):
    client = client_for(Role.SERVICE)
    response = client.get(reverse("callcentre:wallboard", kwargs={"ws": workspace.slug}))
    html = response.content.decode()
    assert response.status_code == 200
    fragment = reverse("callcentre:wallboard_board", kwargs={"ws": workspace.slug})
    assert f'hx-get="{fragment}"' in html
    assert 'hx-trigger="every 5s"' in html
    assert 'id="wallboard-fullscreen"' in html and "js/wallboard.js" in html
    assert "<script>" not in html  # no inline scripts (CSP)
    kiosk = client.get(
        reverse("callcentre:wallboard", kwargs={"ws": workspace.slug}), {"kiosk": "1"}
    )
    assert "wallboard-kiosk" in kiosk.content.decode()


def test_fragment_is_cheap_and_cached_for_two_seconds(
    workspace, day, client_for, django_assert_max_num_queries
):
    client = client_for(Role.SERVICE)
    url = reverse("callcentre:wallboard_board", kwargs={"ws": workspace.slug})
    cache.clear()
    with django_assert_max_num_queries(12):  # session, user, membership + the board's 8
        cold = client.get(url)
    assert cold.status_code == 200
    assert 'data-testid="wallboard-board"' in cold.content.decode()
    assert "<nav" not in cold.content.decode()  # the fragment alone
    with django_assert_max_num_queries(4):  # served from the cache
        client.get(url)


def test_a_new_call_shows_up_once_the_cache_expires(workspace, day, client_for):
    client = client_for(Role.SERVICE)
    url = reverse("callcentre:wallboard_board", kwargs={"ws": workspace.slug})
    with workspace_scope(workspace):
        before = wallboard_cached(workspace=workspace)["total"]["waiting"]
    now = timezone.now()
    call_make(
        workspace,
        direction="inbound",
        status="offered",
        queue=day["queues"]["B"],
        offered_at=now - datetime.timedelta(seconds=40),
        queued_at=now - datetime.timedelta(seconds=30),
        caller_number="+4911",
    )
    cache.clear()  # what two seconds do
    html = client.get(url).content.decode()
    assert f'data-testid="wb-waiting-value">{before + 1}<' in html


def test_longest_wait_reads_minutes_and_seconds_and_numbers_do_not_wrap(workspace, day, client_for):
    """A caller waiting 574 s shows "9:34" (minutes:seconds), in the tile and the queue row;
    every tile's number keeps its unit on its line (text-nowrap)."""
    from callcentre.templatetags.callcentre_time import wait_clock

    assert [wait_clock(s) for s in (574, 45, 0, 3725, None)] == [
        "9:34",
        "0:45",
        "0:00",
        "1:02:05",
        "",
    ]
    now = timezone.now()
    call_make(
        workspace,
        direction="inbound",
        status="offered",
        queue=day["queues"]["B"],
        offered_at=now - datetime.timedelta(seconds=584),
        queued_at=now - datetime.timedelta(seconds=574),
        caller_number="+4912",
    )
    cache.clear()
    url = reverse("callcentre:wallboard_board", kwargs={"ws": workspace.slug})
    html = client_for(Role.SERVICE).get(url).content.decode()
    tile = html.split('data-testid="wb-longest-wait-value">')[1].split("</div>")[0]
    assert tile in ("9:34", "9:35")  # a second may pass between the row and the page
    assert " s<" not in tile
    row = html.split('data-testid="wallboard-queue-row"')[2]  # queue B
    assert ">9:34<" in row or ">9:35<" in row
    assert html.count('class="wallboard-number fw-bold text-nowrap') == html.count(
        "wallboard-number"
    )
