"""Local times on the nights clocks change, with the values of
tests/fixtures/realworld/dst-ambiguous-activity.txt: 02:30 on the night clocks go back is
accepted as its first occurrence; 02:30 on the night clocks go forward gets a clear message."""

import datetime
import re
from pathlib import Path

import pytest
from django.urls import reverse

from sales.models import Activity

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parents[1] / "fixtures" / "realworld" / "dst-ambiguous-activity.txt"
AMBIGUOUS, NONEXISTENT = re.findall(r"^due_at=(\S+)", FIXTURE.read_text(), flags=re.M)
# "type=call  subject=DST check  duration_minutes=15  owner=<self>"
FIELDS = dict(
    re.findall(
        r"(\w+)=(.*?)(?=\s{2,}|$)",
        re.search(r"^type=.*$", FIXTURE.read_text(), flags=re.M).group(0),
    )
)


@pytest.fixture
def berlin(workspace):
    workspace.time_zone = "Europe/Berlin"
    workspace.save()
    return workspace


def _post(client, workspace, owner, due_at):
    url = reverse("sales:activity_create", kwargs={"ws": workspace.slug})
    data = {
        "type": FIELDS["type"],
        "subject": FIELDS["subject"],
        "duration_minutes": FIELDS["duration_minutes"],
        "owner": owner.pk,
        "due_at": due_at,
    }
    return client.post(url, data)


def test_the_fixture_holds_the_two_times():
    assert (AMBIGUOUS, NONEXISTENT) == ("2027-10-31T02:30", "2027-03-28T02:30")
    assert FIELDS["subject"] == "DST check"


def test_a_time_on_the_night_clocks_go_back_is_its_first_occurrence(owner_client, berlin, owner):
    response = _post(owner_client, berlin, owner, AMBIGUOUS)
    assert response.status_code == 302
    activity = Activity.all_workspaces.get(workspace=berlin)
    assert activity.due_at == datetime.datetime(2027, 10, 31, 0, 30, tzinfo=datetime.UTC)
    assert activity.duration_seconds == 15 * 60
    # the edit form shows it as it was typed
    page = owner_client.get(
        reverse("sales:activity_edit", kwargs={"ws": berlin.slug, "pk": activity.pk})
    )
    assert 'value="2027-10-31T02:30"' in page.content.decode()


def test_a_time_clocks_skip_gets_a_clear_message_and_nothing_is_stored(owner_client, berlin, owner):
    response = _post(owner_client, berlin, owner, NONEXISTENT)
    assert response.status_code == 200
    errors = response.context["form"].errors["due_at"]
    assert errors == [
        "This time does not exist in Europe/Berlin (clocks go forward from 2 a.m. to 3 a.m. "
        "on 03/28/2027). Choose an earlier or a later time."
    ]
    assert "This time does not exist in Europe/Berlin (clocks go forward" in (
        response.content.decode()
    )
    assert not Activity.all_workspaces.filter(workspace=berlin).exists()


def test_the_message_speaks_the_users_language(owner_client, berlin, owner):
    owner.language = "de"
    owner.save()
    response = _post(owner_client, berlin, owner, NONEXISTENT)
    # the German text comes with the lead's translation run; the times are German already
    assert "02:00" in response.context["form"].errors["due_at"][0]
    assert "28.03.2027" in response.context["form"].errors["due_at"][0]


def test_the_reminder_follows_the_same_rule(owner_client, berlin, owner):
    url = reverse("sales:activity_create", kwargs={"ws": berlin.slug})
    response = owner_client.post(
        url,
        {
            "type": "call",
            "subject": "Reminder",
            "owner": owner.pk,
            "due_at": "2027-10-31T03:30",
            "reminder_at": "2027-10-31T02:30",
        },
    )
    assert response.status_code == 302
    activity = Activity.all_workspaces.get(workspace=berlin)
    assert activity.reminder_at == datetime.datetime(2027, 10, 31, 0, 30, tzinfo=datetime.UTC)
    assert activity.due_at == datetime.datetime(2027, 10, 31, 2, 30, tzinfo=datetime.UTC)


def test_logging_a_touch_point_follows_the_same_rule(owner_client, berlin):
    from tests.contacts.factories import ContactFactory
    from touchpoints.models import Interaction

    contact = ContactFactory(workspace=berlin)
    url = reverse("touchpoints:log", kwargs={"ws": berlin.slug})
    response = owner_client.post(
        url,
        {
            "contact": contact.pk,
            "log_type": "note",
            "direction": "out",
            "occurred_at": "2025-10-26T02:30",
            "subject": "Night note",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    entry = Interaction.all_workspaces.get(contact=contact)
    assert entry.occurred_at == datetime.datetime(2025, 10, 26, 0, 30, tzinfo=datetime.UTC)
