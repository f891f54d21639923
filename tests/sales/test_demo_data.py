"""The demo looks like a real business: calls and meetings on weekdays between 08:00 and 18:00
in the workspace's time zone, call durations that fit their outcomes, meetings of 30 to 90
minutes, a history spread over the year; its names are in the language it is seeded in
(a German demo has German pipelines and stages), as is a new workspace's default pipeline
for a German-speaking founder."""

import datetime
import random
import zoneinfo
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone, translation

from contacts import business_hours
from sales.demo.pipeline import LOST_REASONS, PIPELINES
from sales.models import Activity, Deal, DealStageChange, LostReason, Pipeline, Stage
from sales.selectors.home import rep_figures
from sales.services.activities import activity_complete, activity_create
from touchpoints.models import Interaction
from workspaces.models import Workspace
from workspaces.scoping import scopes_disabled, workspace_scope

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
CLOSE = datetime.time(18, 0)


def german(text) -> str:
    with translation.override("de"):
        return str(text)


def in_office_hours(moment, seconds=0):
    return business_hours.is_office_hours(moment, BERLIN, minutes=-(-(seconds or 0) // 60))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo seeded once in German; its rows read into plain lists, then rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--language", "de", stdout=open("/dev/null", "w"))  # noqa: SIM115
        with scopes_disabled():
            workspace = Workspace.objects.get(slug="demo")
            data = {
                "now": timezone.now(),
                "pipelines": {
                    p.name: [s.name for s in Stage.all_workspaces.filter(pipeline=p)]
                    for p in Pipeline.all_workspaces.filter(workspace=workspace)
                },
                "reasons": [r.name for r in LostReason.all_workspaces.filter(workspace=workspace)],
                "logged": list(
                    Interaction.all_workspaces.filter(
                        workspace=workspace, data__logged_by_hand=True
                    ).values("kind", "occurred_at", "duration_seconds", "outcome", "direction")
                ),
                "activities": list(
                    Activity.all_workspaces.filter(workspace=workspace).values(
                        "pk", "type", "due_at", "duration_seconds", "done_at", "outcome"
                    )
                ),
                "activity_touchpoints": {
                    i.data["activity_id"]: i.occurred_at
                    for i in Interaction.all_workspaces.filter(workspace=workspace, app="sales")
                    if "activity_id" in i.data
                },
                "deals": list(
                    Deal.all_workspaces.filter(workspace=workspace).values("pk", "created_at")
                ),
                "moves": list(
                    DealStageChange.all_workspaces.filter(workspace=workspace).values(
                        "deal_id", "changed_at"
                    )
                ),
            }
            data["home"] = {}
            for email in ("sales@demo.example", "owner@demo.example"):
                user = get_user_model().objects.get(email=email)
                f = rep_figures(workspace=workspace, user=user)
                data["home"][email] = (
                    sum(c.count for c in f["pipeline"]),
                    f["closing_count"],
                    f["overdue"],
                    len(f["quotas"]),
                )
        transaction.set_rollback(True)
    return data


def test_the_german_demo_names_its_pipelines_stages_and_reasons_in_german(demo):
    expected = {
        german(name): [german(stage) for stage, _p, _k in stages]
        for name, stages in PIPELINES.items()
    }
    assert demo["pipelines"] == expected
    stages = [s for names in demo["pipelines"].values() for s in names]
    assert {"Qualifizierung", "Gewonnen", "Verloren", "Abgewandert"} <= set(stages)
    assert "Won" not in stages and "Lost" not in stages
    assert sorted(demo["reasons"]) == sorted(german(r) for r in LOST_REASONS)
    assert "Wettbewerber" in demo["reasons"]


def test_both_demo_reps_have_something_on_their_home_on_any_day(demo):
    for email, (open_deals, closing, overdue, quotas) in demo["home"].items():
        assert open_deals >= 5, email
        assert closing >= 1, email  # some deals close this month, even on its last day
        assert overdue >= 1, email  # not every past call was made
        assert quotas >= 1, email


def test_logged_calls_and_meetings_happen_on_weekdays_in_office_hours(demo):
    calls = [t for t in demo["logged"] if t["kind"] == "call.logged"]
    meetings = [t for t in demo["logged"] if t["kind"] == "meeting.logged"]
    assert len(calls) > 50 and len(meetings) > 5
    outside = [
        (t["kind"], t["occurred_at"].astimezone(BERLIN))
        for t in demo["logged"]
        if not in_office_hours(t["occurred_at"], t["duration_seconds"])
    ]
    assert outside == []
    assert all(t["occurred_at"] < demo["now"] for t in demo["logged"])


def test_call_durations_fit_their_outcomes(demo):
    calls = [t for t in demo["logged"] if t["kind"] == "call.logged"]
    outcomes = Counter(t["outcome"] for t in calls)
    assert set(outcomes) <= {"reached", "voicemail", "no_answer", "busy", "wrong_number"}
    assert len(outcomes) >= 4
    assert outcomes["reached"] > len(calls) * 0.4 and outcomes.most_common(1)[0][0] == "reached"
    for call in calls:
        seconds = call["duration_seconds"]
        if call["outcome"] == "reached":
            assert 2 * 60 <= seconds <= 25 * 60, call
        elif call["outcome"] == "voicemail":
            assert 30 <= seconds <= 90, call
        elif call["outcome"] == "wrong_number":
            assert 10 <= seconds <= 40, call
        else:
            assert seconds is None, call
        if call["direction"] == "in":
            assert call["outcome"] == "reached"
    reached = sorted(c["duration_seconds"] for c in calls if c["outcome"] == "reached")
    assert 4 * 60 <= reached[len(reached) // 2] <= 12 * 60  # most conversations are short


def test_the_history_is_spread_over_the_past_year(demo):
    months = {(t["occurred_at"].year, t["occurred_at"].month) for t in demo["logged"]}
    assert len(months) >= 11
    oldest = min(t["occurred_at"] for t in demo["logged"])
    assert demo["now"] - oldest <= datetime.timedelta(days=366)
    hours = {t["occurred_at"].astimezone(BERLIN).hour for t in demo["logged"]}
    assert hours == set(range(8, 18))  # the whole office day, not one slot


def test_planned_calls_and_meetings_are_in_office_hours_with_plausible_lengths(demo):
    for a in demo["activities"]:
        assert in_office_hours(a["due_at"], a["duration_seconds"]), a
        minutes = (a["duration_seconds"] or 0) / 60
        if a["type"] == "meeting":
            assert 30 <= minutes <= 90, a
        elif a["type"] == "call" and not a["done_at"]:
            assert 5 <= minutes <= 25, a
        elif a["type"] in ("email", "todo"):
            assert a["duration_seconds"] is None
    assert {a["type"] for a in demo["activities"]} == {"call", "meeting", "email", "todo"}


def test_done_activities_were_done_when_they_ended_and_are_on_the_timeline_then(demo):
    done = [a for a in demo["activities"] if a["done_at"]]
    assert done
    for a in done:
        assert a["done_at"] == a["due_at"] + datetime.timedelta(seconds=a["duration_seconds"] or 0)
        assert a["done_at"] <= demo["now"]
        if a["type"] in ("call", "meeting"):
            assert a["outcome"]
            assert demo["activity_touchpoints"][a["pk"]] == a["done_at"]


def test_deals_are_created_and_moved_in_office_hours(demo):
    created = {d["pk"]: d["created_at"] for d in demo["deals"]}
    assert len(created) == 60
    assert all(in_office_hours(at) for at in created.values())
    # the catalogue demo accepts a quote while seeding, which wins its deal at that moment
    # (quote services take no time); every other move is in office hours
    seeding = demo["now"] - datetime.timedelta(minutes=30)
    moves = [m for m in demo["moves"] if m["changed_at"] < seeding]
    assert len(moves) > 100
    assert all(in_office_hours(m["changed_at"]) for m in moves)
    assert all(m["changed_at"] >= created[m["deal_id"]] for m in demo["moves"])


# --- the clock itself, on many draws --------------------------------------------------------


def test_office_moments_follow_the_working_week():
    rng = random.Random(7)
    start, end = datetime.date(2026, 1, 5), datetime.date(2026, 12, 31)
    moments = [
        business_hours.office_moment_between(rng, start, end, BERLIN, minutes=rng.choice([0, 25]))
        for _ in range(6000)
    ]
    days = Counter(m.weekday() for m in moments)
    hours = Counter(m.hour for m in moments)
    assert set(days) == {0, 1, 2, 3, 4}  # never a weekend
    assert days[4] < days[2] * 0.85  # Fridays are quieter than Wednesdays
    assert set(hours) <= set(range(8, 18))
    assert hours[12] < hours[10] * 0.7  # the lunch dip
    assert hours[8] < hours[9] and hours[17] < hours[16]  # quiet edges of the day
    assert all(m.minute % 5 == 0 for m in moments)


def test_an_office_moment_leaves_room_for_the_duration():
    rng = random.Random(1)
    for _ in range(500):
        moment = business_hours.office_moment(rng, datetime.date(2026, 3, 6), BERLIN, minutes=90)
        assert moment.time() <= datetime.time(16, 30)
    with pytest.raises(ValueError):
        business_hours.office_moment(rng, datetime.date(2026, 3, 7), BERLIN)  # a Saturday
    # the clock goes forward on 29 March in Berlin: office hours are still local hours
    moment = business_hours.office_moment(rng, datetime.date(2026, 3, 30), BERLIN, minutes=30)
    assert moment.utcoffset() == datetime.timedelta(hours=2)


# --- completing an activity afterwards ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.in_scope
def test_an_activity_done_earlier_is_dated_then(workspace, owner):
    from tests.contacts.factories import ContactFactory

    contact = ContactFactory(workspace=workspace)
    due = timezone.now() - datetime.timedelta(days=2)
    call = activity_create(
        workspace=workspace,
        actor=owner,
        type="call",
        subject="Call",
        due_at=due,
        duration_seconds=600,
        owner=owner,
        contact=contact,
    )
    done_at = due + datetime.timedelta(minutes=10)
    activity_complete(
        workspace=workspace, actor=owner, activity=call, outcome="reached", done_at=done_at
    )
    call.refresh_from_db()
    assert call.done_at == done_at
    logged = Interaction.objects.get(workspace=workspace, kind="call.logged")
    assert (logged.occurred_at, logged.duration_seconds, logged.outcome) == (
        done_at,
        600,
        "reached",
    )


@pytest.mark.django_db
@pytest.mark.in_scope
def test_an_activity_cannot_be_done_in_the_future(workspace, owner):
    from django.core.exceptions import ValidationError

    call = activity_create(
        workspace=workspace, actor=owner, type="call", subject="Call", due_at=timezone.now()
    )
    with pytest.raises(ValidationError) as error:
        activity_complete(
            workspace=workspace,
            actor=owner,
            activity=call,
            done_at=timezone.now() + datetime.timedelta(hours=1),
        )
    assert "done_at" in error.value.message_dict
    call.refresh_from_db()
    assert call.done_at is None


# --- a new workspace's pipeline in its founder's language -----------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("profile", "active", "expected"),
    [("de", "en", "Vertrieb"), ("", "de", "Vertrieb"), ("en", "de", "Sales"), ("", "en", "Sales")],
)
def test_a_new_workspace_gets_its_pipeline_in_the_founders_language(profile, active, expected):
    from tests.factories import UserFactory
    from workspaces.services import workspace_create

    founder = UserFactory(language=profile)
    with translation.override(active):
        workspace = workspace_create(name="Neu", slug="neu", owner=founder)
    with workspace_scope(workspace):
        pipeline = Pipeline.objects.get()
        stages = [s.name for s in pipeline.stages.order_by("position")]
    assert pipeline.name == expected
    if expected == "Vertrieb":
        assert stages[0] == "Qualifizierung" and stages[-2:] == ["Gewonnen", "Verloren"]
    else:
        assert stages[0] == "Qualification" and stages[-2:] == ["Won", "Lost"]
