"""My day: overdue means due before now (not "due today"), today's open items are separate,
what was done today is listed. Exact around midnight, in the workspace's time zone."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from sales.selectors.activities import my_day
from tests.sales.factories import ActivityFactory
from workspaces.urlnames import workspace_reverse

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
UTC = datetime.UTC


def berlin(*args):
    return datetime.datetime(*args, tzinfo=BERLIN)


@pytest.fixture
def ws(workspace):
    workspace.time_zone = "Europe/Berlin"
    workspace.save()
    return workspace


def subjects(rows):
    return [a.subject for a in rows]


@pytest.fixture
def late_evening(ws, owner):
    """Activities around midnight from 9 to 11 March 2026 (Berlin, UTC+1)."""
    make = lambda subject, **kw: ActivityFactory(workspace=ws, owner=owner, subject=subject, **kw)  # noqa: E731
    make("Yesterday morning", due_at=berlin(2026, 3, 9, 10, 0))
    make("Tonight 23:00", due_at=berlin(2026, 3, 10, 23, 0))
    make("Tonight 23:45", due_at=berlin(2026, 3, 10, 23, 45))
    # 00:15 Berlin on the 11th is still the 10th in UTC
    make("After midnight", due_at=berlin(2026, 3, 11, 0, 15))
    make(
        "Done just after midnight",
        due_at=berlin(2026, 3, 10, 9, 0),
        # 00:10 Berlin on the 10th is the 9th in UTC
        done_at=berlin(2026, 3, 10, 0, 10),
    )
    make(
        "Done last evening",
        due_at=berlin(2026, 3, 9, 20, 0),
        done_at=berlin(2026, 3, 9, 23, 50),
    )
    make("Done early", due_at=berlin(2026, 3, 12, 9, 0), done_at=berlin(2026, 3, 10, 15, 0))


def test_at_half_past_eleven_at_night(ws, owner, late_evening):
    day = my_day(workspace=ws, user=owner, now=berlin(2026, 3, 10, 23, 30))
    assert subjects(day["overdue"]) == ["Yesterday morning", "Tonight 23:00"]
    assert subjects(day["today"]) == ["Tonight 23:45"]
    assert subjects(day["done"]) == ["Done just after midnight", "Done early"]
    assert day["done_today"] == 2


def test_five_minutes_after_midnight_the_new_day_starts(ws, owner, late_evening):
    day = my_day(workspace=ws, user=owner, now=berlin(2026, 3, 11, 0, 5))
    assert subjects(day["overdue"]) == ["Yesterday morning", "Tonight 23:00", "Tonight 23:45"]
    assert subjects(day["today"]) == ["After midnight"]
    assert day["done"] == [] and day["done_today"] == 0


def test_due_exactly_now_is_not_overdue_yet(ws, owner):
    now = berlin(2026, 3, 10, 12, 0)
    ActivityFactory(workspace=ws, owner=owner, subject="Noon", due_at=now)
    ActivityFactory(
        workspace=ws,
        owner=owner,
        subject="A second ago",
        due_at=now - datetime.timedelta(seconds=1),
    )
    day = my_day(workspace=ws, user=owner, now=now)
    assert subjects(day["overdue"]) == ["A second ago"]
    assert subjects(day["today"]) == ["Noon"]


def test_the_day_is_the_workspaces_not_utcs(ws, owner):
    """23:30 UTC on the 10th is already the 11th in Tokyo."""
    ws.time_zone = "Asia/Tokyo"
    ws.save()
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    now = datetime.datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # 08:30 on the 11th in Tokyo
    ActivityFactory(
        workspace=ws,
        owner=owner,
        subject="Tokyo lunch",
        due_at=datetime.datetime(2026, 3, 11, 12, 0, tzinfo=tokyo),
    )
    ActivityFactory(
        workspace=ws,
        owner=owner,
        subject="Tokyo tomorrow",
        due_at=datetime.datetime(2026, 3, 12, 0, 30, tzinfo=tokyo),
    )
    ActivityFactory(
        workspace=ws,
        owner=owner,
        subject="Done at 01:00 Tokyo",
        due_at=datetime.datetime(2026, 3, 11, 1, 0, tzinfo=tokyo),
        done_at=datetime.datetime(2026, 3, 11, 1, 0, tzinfo=tokyo),  # the 10th in UTC
    )
    day = my_day(workspace=ws, user=owner, now=now)
    assert subjects(day["today"]) == ["Tokyo lunch"]
    assert subjects(day["overdue"]) == []
    assert subjects(day["done"]) == ["Done at 01:00 Tokyo"]


def test_only_my_activities(ws, owner, member_factory):
    other = member_factory()
    now = timezone.now()
    ActivityFactory(
        workspace=ws, owner=other, subject="Theirs", due_at=now - datetime.timedelta(hours=1)
    )
    assert my_day(workspace=ws, user=owner, now=now)["overdue"] == []


def _section(text, testid):
    start = text.index(f'data-testid="{testid}"')
    return text[start : text.index("</ul>", start)]


def test_the_page_lists_overdue_later_and_done_apart(ws, owner, owner_client):
    now = timezone.now()
    ActivityFactory(
        workspace=ws,
        owner=owner,
        subject="A minute ago",
        due_at=now - datetime.timedelta(minutes=1),
    )
    ActivityFactory(
        workspace=ws,
        owner=owner,
        subject="Finished call",
        due_at=now - datetime.timedelta(minutes=30),
        done_at=now,
        outcome="Reached",
    )
    text = owner_client.get(workspace_reverse(ws, "sales:my_day")).content.decode()
    assert "A minute ago" in _section(text, "overdue")
    assert 'data-overdue="1"' in _section(text, "overdue")
    assert "A minute ago" not in _section(text, "today")
    done = _section(text, "done-today")
    assert "Finished call" in done and "text-decoration-line-through" in done
    assert "Reached" in done
    assert "Finished call" not in _section(text, "overdue")


def test_the_home_panel_shows_overdue_and_done(ws, owner, owner_client):
    now = timezone.now()
    ActivityFactory(
        workspace=ws, owner=owner, subject="Missed call", due_at=now - datetime.timedelta(minutes=5)
    )
    ActivityFactory(
        workspace=ws,
        owner=owner,
        subject="Done call",
        due_at=now - datetime.timedelta(minutes=20),
        done_at=now,
    )
    text = owner_client.get(workspace_reverse(ws, "workspace_home")).content.decode()
    assert 'data-testid="panel-overdue"' in text and "Missed call" in text
    assert 'data-testid="panel-done"' in text and "Done call" in text


def test_my_day_queries_do_not_grow_with_rows(
    ws, owner, owner_client, django_assert_max_num_queries
):
    now = timezone.now()
    from tests.contacts.factories import ContactFactory

    for i in range(20):
        contact = ContactFactory(workspace=ws)
        ActivityFactory(
            workspace=ws,
            owner=owner,
            contact=contact,
            due_at=now - datetime.timedelta(hours=1, minutes=i),
        )
        ActivityFactory(
            workspace=ws,
            owner=owner,
            contact=contact,
            due_at=now - datetime.timedelta(hours=2),
            done_at=now - datetime.timedelta(seconds=i),
        )
    with django_assert_max_num_queries(11):
        response = owner_client.get(workspace_reverse(ws, "sales:my_day"))
    assert len(response.context["overdue"]) == 20
    assert response.context["done_today"] >= 1
