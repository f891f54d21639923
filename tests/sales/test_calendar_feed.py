"""The iCalendar feed with the real-world scenario of tests/fixtures/realworld/
ics-done-activity.json: a done call is a VEVENT with a status VEVENTs may have, UIDs do not
change with the host name, lines are folded without splitting UTF-8, a removed member's feed
stops at once and the address can be rotated."""

import datetime
import json
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from sales.calendar_ics import activity_uid
from sales.models import CalendarFeed
from sales.services import activities as activity_services, calendar_feeds as feed_services
from tests.factories import UserFactory
from tests.sales.factories import ActivityFactory
from workspaces.models import Membership
from workspaces.roles import Role
from workspaces.services import membership_remove

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]

FIXTURE = Path(__file__).parents[1] / "fixtures" / "realworld" / "ics-done-activity.json"
SCENARIO = json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture
def feed_user(workspace, member_factory):
    workspace.time_zone = SCENARIO["workspace"]["time_zone"]
    workspace.save()
    user = member_factory(Role.SALES)
    user.first_name, user.last_name = "Feed", "User"
    user.save()
    return user


@pytest.fixture
def scenario(workspace, feed_user, owner):
    """The fixture's two activities: a call two hours ago, completed with outcome "reached",
    and tomorrow's meeting with a reminder 15 minutes before."""
    call_spec, meeting_spec = SCENARIO["activities"]
    now = timezone.now().replace(microsecond=0)
    call = activity_services.activity_create(
        workspace=workspace,
        actor=feed_user,
        type=call_spec["type"],
        subject=call_spec["subject"],
        notes=call_spec["notes"],
        due_at=now - datetime.timedelta(hours=2),
        duration_seconds=call_spec["duration_minutes"] * 60,
        owner=feed_user,
    )
    activity_services.activity_complete(
        workspace=workspace, actor=feed_user, activity=call, outcome="reached"
    )
    due = now + datetime.timedelta(days=1)
    meeting = activity_services.activity_create(
        workspace=workspace,
        actor=feed_user,
        type=meeting_spec["type"],
        subject=meeting_spec["subject"],
        due_at=due,
        duration_seconds=meeting_spec["duration_minutes"] * 60,
        reminder_at=due - datetime.timedelta(minutes=15),
        owner=feed_user,
    )
    feed = feed_services.calendar_feed_get_or_create(workspace=workspace, user=feed_user)
    return {"call": call, "meeting": meeting, "feed": feed}


def feed_url(workspace, feed):
    return reverse("sales_calendar_ics", kwargs={"ws": workspace.slug, "token": feed.token})


def fetch(client, workspace, feed, host="127.0.0.1:8721"):
    return client.get(feed_url(workspace, feed), headers={"host": host})


def events_of(response):
    return {str(e["uid"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}


@pytest.fixture
def two_hosts(settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    settings.CALENDAR_UID_DOMAIN = "crm.example.com"


def test_a_done_activity_is_a_confirmed_vevent_never_completed(client, workspace, scenario):
    response = fetch(client, workspace, scenario["feed"], host="testserver")
    assert response.status_code == 200
    cal = Calendar.from_ical(response.content)
    assert cal.walk("VTODO") == []
    events = events_of(response)
    done = events[activity_uid(scenario["call"])]
    assert str(done["status"]) == "CONFIRMED"
    assert str(done["summary"]) == "Done: Call: Rückruf Angebot; Preis, Lieferung"
    assert "Done (reached)." in str(done["description"])
    assert "VALARM" not in done.to_ical().decode()
    assert b"COMPLETED" not in response.content
    allowed = {"TENTATIVE", "CONFIRMED", "CANCELLED"}
    assert {str(e["status"]) for e in events.values()} <= allowed
    planned = events[activity_uid(scenario["meeting"])]
    assert str(planned["summary"]) == "Meeting: Jahresgespräch"
    assert planned.decoded("dtend") - planned.decoded("dtstart") == datetime.timedelta(hours=1)
    alarm = planned.walk("VALARM")[0]
    assert alarm.decoded("trigger") == datetime.timedelta(minutes=-15)


def test_uids_are_the_same_whatever_host_serves_the_feed(client, workspace, scenario, two_hosts):
    first = fetch(client, workspace, scenario["feed"], host="127.0.0.1:8721")
    second = fetch(client, workspace, scenario["feed"], host="localhost:8721")
    assert first.status_code == second.status_code == 200
    assert set(events_of(first)) == set(events_of(second))
    assert set(events_of(first)) == {
        f"activity-{scenario['call'].pk}-{workspace.pk}@crm.example.com",
        f"activity-{scenario['meeting'].pk}-{workspace.pk}@crm.example.com",
    }
    assert first.content == second.content


def test_feed_lines_are_folded_without_splitting_utf8_and_texts_are_escaped(
    client, workspace, scenario
):
    raw = fetch(client, workspace, scenario["feed"], host="testserver").content
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    for line in lines:
        line.decode("utf-8")  # every physical line is whole UTF-8 on its own
    assert b"SUMMARY:Done: Call: R\xc3\xbcckruf Angebot\\; Preis\\, Lieferung" in raw
    assert b"\\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    done = events_of_raw(raw)[activity_uid(scenario["call"])]
    assert str(done["description"]).startswith(SCENARIO["activities"][0]["notes"])


def events_of_raw(raw):
    return {str(e["uid"]): e for e in Calendar.from_ical(raw).walk("VEVENT")}


def test_removing_the_member_through_the_service_stops_their_feed_at_once(
    client, workspace, owner, feed_user, scenario
):
    assert fetch(client, workspace, scenario["feed"], host="testserver").status_code == 200
    membership = Membership.objects.get(workspace=workspace, user=feed_user)
    membership_remove(workspace=workspace, actor=owner, membership=membership)
    assert fetch(client, workspace, scenario["feed"], host="testserver").status_code == 404
    assert not CalendarFeed.objects.filter(pk=scenario["feed"].pk).exists()


def test_a_member_removed_and_invited_again_does_not_get_the_old_address_back(
    client, workspace, owner, feed_user, scenario
):
    old = scenario["feed"]
    membership_remove(
        workspace=workspace,
        actor=owner,
        membership=Membership.objects.get(workspace=workspace, user=feed_user),
    )
    Membership.objects.create(workspace=workspace, user=feed_user, role=Role.SALES)
    assert fetch(client, workspace, old, host="testserver").status_code == 404


def test_rotating_the_feed_address_retires_the_old_one(client, workspace, feed_user, scenario):
    old = scenario["feed"]
    new = feed_services.calendar_feed_regenerate(workspace=workspace, user=feed_user)
    assert new.token != old.token
    assert fetch(client, workspace, old, host="testserver").status_code == 404
    response = fetch(client, workspace, new, host="testserver")
    assert activity_uid(scenario["call"]) in events_of(response)


def test_another_users_token_shows_only_their_activities(client, workspace, scenario):
    stranger = UserFactory()
    Membership.objects.create(workspace=workspace, user=stranger, role=Role.SALES)
    ActivityFactory(workspace=workspace, owner=stranger, subject="Stranger's call")
    feed = feed_services.calendar_feed_get_or_create(workspace=workspace, user=stranger)
    response = fetch(client, workspace, feed, host="testserver")
    assert [str(e["summary"]) for e in events_of(response).values()] == ["Call: Stranger's call"]
