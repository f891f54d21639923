"""Activities: my day, overdue, week calendar, reminders, the iCalendar feed."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from sales.models import Activity, CalendarFeed
from sales.services import activities as activity_services, calendar_feeds as calendar_feed_services
from sales.tasks import activity_reminders_task, activity_send_reminders_task
from tests.contacts.factories import ContactFactory
from tests.factories import in_workspace_scope
from tests.sales.factories import ActivityFactory, deal_make
from touchpoints.models import Interaction
from workspaces.roles import Role

pytestmark = pytest.mark.django_db


def _url(workspace, name, **kw):
    return reverse(name, kwargs={"ws": workspace.slug, **kw})


def test_my_day_lists_todays_and_overdue_activities(workspace, owner_client, owner):
    now = timezone.now()
    ActivityFactory(
        workspace=workspace,
        owner=owner,
        subject="Late call",
        due_at=now - datetime.timedelta(days=2),
    )
    ActivityFactory(
        workspace=workspace,
        owner=owner,
        subject="Next week",
        due_at=now + datetime.timedelta(days=8),
    )
    ActivityFactory(
        workspace=workspace,
        owner=owner,
        subject="Done long ago",
        due_at=now - datetime.timedelta(days=3),
        done_at=now,
    )
    response = owner_client.get(_url(workspace, "sales:my_day"))
    overdue = [a.subject for a in response.context["overdue"]]
    assert overdue == ["Late call"]
    assert "Next week" not in response.content.decode()


def test_overdue_activities_are_highlighted(workspace, owner_client, owner):
    ActivityFactory(
        workspace=workspace,
        owner=owner,
        subject="Late call",
        due_at=timezone.now() - datetime.timedelta(days=1, hours=1),
    )
    text = owner_client.get(_url(workspace, "sales:my_day")).content.decode()
    assert "list-group-item-danger" in text and 'data-overdue="1"' in text


def test_my_day_shows_only_my_activities(workspace, owner_client, owner, member_factory):
    rep = member_factory(Role.SALES)
    ActivityFactory(
        workspace=workspace,
        owner=rep,
        subject="Not mine",
        due_at=timezone.now() - datetime.timedelta(days=1),
    )
    assert "Not mine" not in owner_client.get(_url(workspace, "sales:my_day")).content.decode()


def test_the_week_calendar_has_seven_days_from_monday(workspace, owner_client, owner):
    ActivityFactory(
        workspace=workspace,
        owner=owner,
        subject="Wednesday meeting",
        due_at=datetime.datetime(2026, 3, 4, 10, 0, tzinfo=datetime.UTC),
    )
    response = owner_client.get(_url(workspace, "sales:calendar") + "?week=2026-03-05")
    days = response.context["days"]
    assert [d["date"] for d in days][0] == datetime.date(2026, 3, 2)
    assert len(days) == 7
    assert [a.subject for a in days[2]["activities"]] == ["Wednesday meeting"]
    assert response.context["next_week"] == datetime.date(2026, 3, 9)
    assert response.context["prev_week"] == datetime.date(2026, 2, 23)


def test_the_calendar_uses_the_workspace_time_zone(workspace, owner_client, owner):
    workspace.time_zone = "Asia/Tokyo"
    workspace.save()
    # 23:30 UTC on Tuesday is Wednesday morning in Tokyo
    ActivityFactory(
        workspace=workspace,
        owner=owner,
        subject="Early",
        due_at=datetime.datetime(2026, 3, 3, 23, 30, tzinfo=datetime.UTC),
    )
    days = owner_client.get(_url(workspace, "sales:calendar") + "?week=2026-03-02").context["days"]
    assert [a.subject for a in days[2]["activities"]] == ["Early"]


def test_the_calendar_page_has_no_query_per_activity(
    workspace, owner_client, owner, django_assert_max_num_queries
):
    start = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)
    for i in range(40):
        ActivityFactory(
            workspace=workspace,
            owner=owner,
            due_at=start + datetime.timedelta(hours=i * 3),
            contact=ContactFactory(workspace=workspace),
        )
    with django_assert_max_num_queries(10):
        response = owner_client.get(_url(workspace, "sales:calendar") + "?week=2026-03-02")
    shown = [a for day in response.context["days"] for a in day["activities"]]
    assert len(shown) == 40


def test_my_day_has_no_query_per_activity(
    workspace, owner_client, owner, django_assert_max_num_queries
):
    for i in range(30):
        ActivityFactory(
            workspace=workspace,
            owner=owner,
            due_at=timezone.now() - datetime.timedelta(days=1, minutes=i),
            contact=ContactFactory(workspace=workspace),
        )
    with django_assert_max_num_queries(10):
        response = owner_client.get(_url(workspace, "sales:my_day"))
    assert len(response.context["overdue"]) == 30


def test_completing_a_call_logs_it_on_the_contact(scope, owner):
    contact = ContactFactory(workspace=scope)
    activity = ActivityFactory(
        workspace=scope, owner=owner, contact=contact, type="call", duration_seconds=900
    )
    activity_services.activity_complete(
        workspace=scope, actor=owner, activity=activity, outcome="Reached"
    )
    entry = Interaction.objects.get(contact=contact, kind="call.logged")
    assert (entry.channel, entry.outcome, entry.duration_seconds) == ("phone", "Reached", 900)


def test_completing_a_meeting_logs_it_on_the_contact(scope, owner):
    contact = ContactFactory(workspace=scope)
    activity = ActivityFactory(workspace=scope, owner=owner, contact=contact, type="meeting")
    activity_services.activity_complete(workspace=scope, actor=owner, activity=activity)
    assert Interaction.objects.filter(contact=contact, kind="meeting.logged").exists()


def test_completing_a_todo_logs_nothing(scope, owner):
    contact = ContactFactory(workspace=scope)
    activity = ActivityFactory(workspace=scope, owner=owner, contact=contact, type="todo")
    activity_services.activity_complete(workspace=scope, actor=owner, activity=activity)
    assert not Interaction.objects.filter(contact=contact).exists()


def test_an_activity_on_a_deal_takes_the_deals_contact(scope, owner):
    contact = ContactFactory(workspace=scope)
    deal = deal_make(scope, actor=owner, contact=contact)
    activity = activity_services.activity_create(
        workspace=scope,
        actor=owner,
        type="call",
        subject="x",
        due_at=timezone.now(),
        deal=deal,
        owner=owner,
    )
    assert activity.contact == contact


def test_the_activity_form_reads_times_in_the_workspace_time_zone(workspace, owner_client, owner):
    workspace.time_zone = "Europe/Berlin"
    workspace.save()
    response = owner_client.post(
        _url(workspace, "sales:activity_create"),
        {"type": "meeting", "subject": "Kick-off", "due_at": "2026-07-01T10:00", "owner": owner.pk},
    )
    assert response.status_code == 302
    activity = Activity.all_workspaces.get(subject="Kick-off")
    assert activity.due_at == datetime.datetime(2026, 7, 1, 8, 0, tzinfo=datetime.UTC)


def test_the_activity_form_takes_minutes_and_stores_seconds(workspace, owner_client, owner):
    response = owner_client.post(
        _url(workspace, "sales:activity_create"),
        {
            "type": "call",
            "subject": "Call back",
            "due_at": "2026-07-01T10:00",
            "duration_minutes": "15",
            "owner": owner.pk,
        },
    )
    assert response.status_code == 302
    activity = Activity.all_workspaces.get(subject="Call back")
    assert activity.duration_seconds == 900
    page = owner_client.get(_url(workspace, "sales:activity_edit", pk=activity.pk))
    assert page.context["form"]["duration_minutes"].value() == 15
    owner_client.post(
        _url(workspace, "sales:activity_edit", pk=activity.pk),
        {
            "type": "call",
            "subject": "Call back",
            "due_at": "2026-07-01T10:00",
            "duration_minutes": "",
            "owner": owner.pk,
        },
    )
    activity.refresh_from_db()
    assert activity.duration_seconds is None


def test_activity_durations_are_migrated_from_minutes_to_seconds(db_owner):
    """Stored minutes become seconds (and back when the migration is reversed)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("sales", "0007_workspace_fk_without_own_index")]
    after = [("sales", "0008_activity_duration_seconds")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        Workspace = old.get_model("workspaces", "Workspace")
        OldActivity = old.get_model("sales", "Activity")
        ws = Workspace.objects.create(name="A", slug="a")
        due = timezone.now()
        OldActivity.objects.create(workspace=ws, subject="call", due_at=due, duration_minutes=15)
        OldActivity.objects.create(workspace=ws, subject="todo", due_at=due)
        MigrationExecutor(connection).migrate(after)
        assert dict(
            Activity._base_manager.filter(workspace_id=ws.pk).values_list(
                "subject", "duration_seconds"
            )
        ) == {"call": 900, "todo": None}
        MigrationExecutor(connection).migrate(before)
        back = MigrationExecutor(connection).loader.project_state(before).apps
        assert dict(
            back.get_model("sales", "Activity")
            ._base_manager.filter(workspace_id=ws.pk)
            .values_list("subject", "duration_minutes")
        ) == {"call": 15, "todo": None}
    finally:
        MigrationExecutor(connection).migrate(latest)


def _due_reminder(workspace, owner, **kw):
    now = timezone.now()
    return ActivityFactory(
        workspace=workspace,
        owner=owner,
        subject="Call Ina",
        due_at=now + datetime.timedelta(minutes=10),
        reminder_at=now - datetime.timedelta(minutes=1),
        **kw,
    )


def test_a_due_reminder_is_emailed_to_the_owner(workspace, owner):
    activity = _due_reminder(workspace, owner)
    activity_reminders_task()
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert "Call Ina" in mail.outbox[0].subject
    activity.refresh_from_db()
    assert activity.reminder_sent_at is not None


def test_a_reminder_is_sent_once_even_when_the_task_runs_twice(workspace, owner):
    _due_reminder(workspace, owner)
    activity_send_reminders_task(workspace.pk)
    activity_send_reminders_task(workspace.pk)
    activity_reminders_task()
    assert len(mail.outbox) == 1


def test_reminders_of_done_or_future_activities_are_not_sent(workspace, owner):
    _due_reminder(workspace, owner, done_at=timezone.now())
    ActivityFactory(
        workspace=workspace, owner=owner, reminder_at=timezone.now() + datetime.timedelta(hours=1)
    )
    activity_reminders_task()
    assert mail.outbox == []


def test_the_reminder_task_stays_in_its_workspace(workspace, other_workspace, owner):
    _due_reminder(workspace, owner)
    assert activity_send_reminders_task(other_workspace.pk) == 0
    assert mail.outbox == []


@in_workspace_scope
def _feed(workspace, user):
    return calendar_feed_services.calendar_feed_get_or_create(workspace=workspace, user=user)


def test_the_ics_feed_lists_the_users_activities(client, workspace, owner):
    contact = ContactFactory(workspace=workspace, first_name="Ina", last_name="Berg")
    activity = ActivityFactory(
        workspace=workspace,
        owner=owner,
        subject="Demo " + "x" * 80,
        type="meeting",
        contact=contact,
        duration_seconds=45 * 60,
    )
    feed = _feed(workspace, owner)
    response = client.get(
        reverse("sales_calendar_ics", kwargs={"ws": workspace.slug, "token": feed.token})
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert all(len(line) <= 75 for line in response.content.split(b"\r\n"))
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert str(event["uid"]).startswith(f"activity-{activity.pk}-")
    assert str(event["summary"]) == "Meeting: Demo " + "x" * 80
    assert event.decoded("dtend") - event.decoded("dtstart") == datetime.timedelta(minutes=45)
    assert "Ina Berg" in str(event["description"])


def test_the_ics_feed_shows_no_one_elses_activities(client, workspace, owner, member_factory):
    rep = member_factory(Role.SALES)
    ActivityFactory(workspace=workspace, owner=rep, subject="Rep's call")
    feed = _feed(workspace, owner)
    response = client.get(
        reverse("sales_calendar_ics", kwargs={"ws": workspace.slug, "token": feed.token})
    )
    assert b"Rep's call" not in response.content


def test_a_wrong_secret_is_404(client, workspace, owner):
    _feed(workspace, owner)
    url = reverse("sales_calendar_ics", kwargs={"ws": workspace.slug, "token": "guess"})
    assert client.get(url).status_code == 404


def test_a_secret_of_another_workspace_is_404(client, workspace, other_workspace, owner):
    feed = _feed(other_workspace, owner)
    url = reverse("sales_calendar_ics", kwargs={"ws": workspace.slug, "token": feed.token})
    assert client.get(url).status_code == 404


def test_regenerating_the_feed_retires_the_old_address(workspace, owner_client, owner):
    old = _feed(workspace, owner).token
    owner_client.post(_url(workspace, "sales:calendar_feed"))
    new = CalendarFeed.all_workspaces.get(workspace=workspace, user=owner).token
    assert new != old
    old_url = reverse("sales_calendar_ics", kwargs={"ws": workspace.slug, "token": old})
    assert owner_client.get(old_url).status_code == 404


def test_the_feed_page_shows_the_secret_address(workspace, owner_client, owner):
    owner_client.post(_url(workspace, "sales:calendar_feed"))
    response = owner_client.get(_url(workspace, "sales:calendar_feed"))
    token = CalendarFeed.all_workspaces.get(workspace=workspace, user=owner).token
    assert token.encode() in response.content


def test_opening_the_feed_page_makes_no_address(workspace, owner_client, owner):
    response = owner_client.get(_url(workspace, "sales:calendar_feed"))
    assert b'data-testid="feed-create"' in response.content
    assert not CalendarFeed.all_workspaces.filter(workspace=workspace).exists()


def test_a_new_activity_from_a_calendar_day_is_due_that_day(workspace, owner_client):
    response = owner_client.get(_url(workspace, "sales:activity_create") + "?day=2026-03-04")
    due = response.context["form"].initial["due_at"]
    assert (due.date(), due.hour) == (datetime.date(2026, 3, 4), 9)


def test_done_on_my_day_swaps_only_the_row_with_htmx(workspace, owner_client, owner):
    activity = ActivityFactory(workspace=workspace, owner=owner, subject="Swap me")
    response = owner_client.post(
        _url(workspace, "sales:activity_complete", pk=activity.pk),
        {"outcome": "Reached"},
        headers={"HX-Request": "true"},
    )
    text = response.content.decode()
    assert text.lstrip().startswith("<li") and 'data-testid="done"' in text and "Reached" in text
    assert Activity.all_workspaces.get(pk=activity.pk).done_at is not None


def test_a_name_stored_with_a_line_break_still_gives_a_valid_feed(client, workspace, owner):
    """Names are single-line by validation now; one stored before must not break the feed."""
    type(owner).objects.filter(pk=owner.pk).update(
        last_name="Attacker\r\nBEGIN:VEVENT\r\nSUMMARY:Injected\r\nEND:VEVENT"
    )
    ActivityFactory(workspace=workspace, owner=owner, subject="Real one")
    feed = _feed(workspace, owner)
    response = client.get(
        reverse("sales_calendar_ics", kwargs={"ws": workspace.slug, "token": feed.token})
    )
    assert response.status_code == 200
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Call: Real one"]
