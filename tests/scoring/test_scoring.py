"""Lead scoring: event rules read the history by cursor (contributions with reasons, caps,
idempotent re-runs), field rules follow contact changes, engagement decays by half-life,
the threshold is crossed once per crossing (timeline event, owner), the segment rules."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from contacts.models import Contact
from contacts.segment_rules import rules_compile
from contacts.services.contacts import contact_update
from scoring.decay import capped_points, engagement_sum
from scoring.models import CapPeriod, ContactScore, Contribution, ScoringCursor
from scoring.services.rules import scoring_rule_delete, scoring_rule_update
from scoring.services.runs import (
    scoring_decay_workspace,
    scoring_refresh_workspace,
    scoring_run_workspace,
)
from tests.contacts.factories import ContactFactory
from tests.scoring import factories as f
from touchpoints.models import Interaction
from touchpoints.services import interaction_record
from workspaces.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)  # a Monday


def form_sent(workspace, contact, *, at=None, channel="website"):
    return interaction_record(
        workspace=workspace,
        kind="form.submitted",
        channel=channel,
        contact=contact,
        direction="in",
        occurred_at=at or timezone.now(),
    )


def score_of(contact):
    row = ContactScore.objects.filter(contact=contact).first()
    return (row.fit, row.engagement, row.total) if row else (0, 0, 0)


def test_an_event_rule_gives_points_with_the_reason(workspace):
    rule = f.event_rule(workspace, points=10)
    contact = ContactFactory(workspace=workspace)
    interaction = form_sent(workspace, contact)
    result = scoring_run_workspace(workspace=workspace)
    assert result["interactions"] == 1
    contribution = Contribution.objects.get(contact=contact)
    assert (contribution.rule, contribution.interaction, contribution.points) == (
        rule,
        interaction,
        10,
    )
    assert contribution.reason == "Form submitted on Website"
    assert score_of(contact) == (0, 10, 10)


def test_a_channel_rule_counts_any_kind_on_its_channel(workspace):
    f.event_rule(workspace, name="Web", kind="", channel="website", points=3)
    contact = ContactFactory(workspace=workspace)
    form_sent(workspace, contact, channel="website")
    form_sent(workspace, contact, channel="email")
    scoring_run_workspace(workspace=workspace)
    assert list(Contribution.objects.values_list("points", flat=True)) == [3]


def test_a_rerun_of_the_consumer_gives_nothing_twice(workspace):
    f.event_rule(workspace, points=10, cap=15, period=CapPeriod.DAY)
    contact = ContactFactory(workspace=workspace)
    for _ in range(3):
        form_sent(workspace, contact)
    scoring_run_workspace(workspace=workspace)
    before = sorted(Contribution.objects.values_list("interaction_id", "points"))
    assert scoring_run_workspace(workspace=workspace)["interactions"] == 0
    ScoringCursor.objects.update(interaction_seq=0, change_seq=0)  # read it all again
    scoring_run_workspace(workspace=workspace)
    assert sorted(Contribution.objects.values_list("interaction_id", "points")) == before
    assert score_of(contact)[2] == 15


def test_the_cap_limits_points_per_day_and_starts_again_the_next_day(workspace):
    f.event_rule(workspace, points=5, cap=10, period=CapPeriod.DAY)
    contact = ContactFactory(workspace=workspace)
    with time_machine.travel(T0 + datetime.timedelta(days=1, hours=8), tick=False):
        for hour in (0, 1, 2):
            form_sent(workspace, contact, at=T0 + datetime.timedelta(hours=hour))
        scoring_run_workspace(workspace=workspace)  # the first run: three on one day
        form_sent(workspace, contact, at=T0 + datetime.timedelta(days=1))
        scoring_run_workspace(workspace=workspace)  # the next day, in a later run
    rows = list(Contribution.objects.order_by("occurred_at").values_list("points", "reason"))
    assert [points for points, _reason in rows] == [5, 5, 0, 5]
    assert "capped" in rows[2][1]
    assert "capped" not in rows[0][1]


def test_the_weekly_cap_counts_across_runs(workspace):
    f.event_rule(workspace, points=4, cap=10, period=CapPeriod.WEEK)
    contact = ContactFactory(workspace=workspace)
    with time_machine.travel(T0 + datetime.timedelta(days=8), tick=False):
        for day in range(4):  # Monday to Thursday of one week, each its own run
            form_sent(workspace, contact, at=T0 + datetime.timedelta(days=day))
            scoring_run_workspace(workspace=workspace)
        form_sent(workspace, contact, at=T0 + datetime.timedelta(days=7))  # next Monday
        scoring_run_workspace(workspace=workspace)
    points = list(Contribution.objects.order_by("occurred_at").values_list("points", flat=True))
    assert points == [4, 4, 2, 0, 4]


def test_engagement_halves_every_half_life(workspace):
    f.settings(workspace, half_life_days=10, threshold=None)
    f.event_rule(workspace, points=10)
    contact = ContactFactory(workspace=workspace)
    with time_machine.travel(T0, tick=False):
        form_sent(workspace, contact, at=T0)
        scoring_run_workspace(workspace=workspace)
        assert score_of(contact) == (0, 10, 10)
    with time_machine.travel(T0 + datetime.timedelta(days=10), tick=False):
        scoring_decay_workspace(workspace=workspace)
        assert score_of(contact) == (0, 5, 5)
    with time_machine.travel(T0 + datetime.timedelta(days=20), tick=False):
        scoring_decay_workspace(workspace=workspace)
        assert score_of(contact) == (0, 3, 3)  # 2.5 rounds half up
    with time_machine.travel(T0 + datetime.timedelta(days=200), tick=False):
        scoring_decay_workspace(workspace=workspace)  # past the horizon: nothing left
        assert score_of(contact) == (0, 0, 0)


def test_fit_points_do_not_decay(workspace):
    f.settings(workspace, half_life_days=1, threshold=None)
    f.event_rule(workspace, points=8, category="fit")
    contact = ContactFactory(workspace=workspace)
    with time_machine.travel(T0, tick=False):
        form_sent(workspace, contact, at=T0)
        scoring_run_workspace(workspace=workspace)
    with time_machine.travel(T0 + datetime.timedelta(days=30), tick=False):
        scoring_decay_workspace(workspace=workspace)
    assert score_of(contact) == (8, 0, 8)


def test_the_formula_by_hand():
    now = T0
    rows = [(10, now - datetime.timedelta(days=30)), (-4, now)]
    assert engagement_sum(rows, now=now, half_life_days=30) == 1  # 10·0.5 - 4
    assert capped_points(-5, cap=8, given=5) == -3
    assert capped_points(5, cap=None, given=100) == 5


def test_crossing_the_threshold_is_recorded_once_and_again_after_falling_below(workspace):
    f.settings(workspace, half_life_days=10, threshold=10)
    f.event_rule(workspace, points=10)
    contact = ContactFactory(workspace=workspace)
    crossings = Interaction.objects.filter(kind="score.threshold_crossed", contact=contact)
    with time_machine.travel(T0, tick=False):
        form_sent(workspace, contact, at=T0)
        scoring_run_workspace(workspace=workspace)
        assert crossings.count() == 1
        event = crossings.get()
        assert (event.app, event.data["total"], event.data["threshold"]) == ("scoring", 10, 10)
        form_sent(workspace, contact, at=T0)
        scoring_run_workspace(workspace=workspace)  # 20 now: still above, no new event
        scoring_run_workspace(workspace=workspace)
        assert crossings.count() == 1
    with time_machine.travel(T0 + datetime.timedelta(days=20), tick=False):
        scoring_decay_workspace(workspace=workspace)  # 5: below
        assert ContactScore.objects.get(contact=contact).above_threshold is False
        form_sent(workspace, contact)
        scoring_run_workspace(workspace=workspace)  # 15: above again
        assert crossings.count() == 2


def test_crossing_gives_the_owner_to_contacts_without_one(workspace, member_factory):
    rep = member_factory(Role.SALES)
    other = member_factory(Role.SALES)
    f.settings(workspace, threshold=10, owner=rep)
    f.event_rule(workspace, points=10)
    free = ContactFactory(workspace=workspace)
    owned = ContactFactory(workspace=workspace, owner=other)
    form_sent(workspace, free)
    form_sent(workspace, owned)
    scoring_run_workspace(workspace=workspace)
    free.refresh_from_db()
    owned.refresh_from_db()
    assert (free.owner, owned.owner) == (rep, other)


def test_a_field_rule_follows_the_contact(workspace, owner):
    f.field_rule(workspace, points=15)
    director = ContactFactory(workspace=workspace, job_title="Sales Director")
    clerk = ContactFactory(workspace=workspace, job_title="Clerk")
    scoring_refresh_workspace(workspace=workspace)
    assert (score_of(director), score_of(clerk)) == ((15, 0, 15), (0, 0, 0))
    assert Contribution.objects.get(contact=director).reason == "Matches on Job title"
    contact_update(workspace=workspace, actor=owner, contact=clerk, job_title="Director of IT")
    contact_update(workspace=workspace, actor=owner, contact=director, job_title="Clerk")
    scoring_run_workspace(workspace=workspace)  # reads the change log
    assert (score_of(director), score_of(clerk)) == ((0, 0, 0), (15, 0, 15))


def test_changing_and_deleting_a_rule_moves_the_scores(workspace):
    rule = f.field_rule(workspace, points=15)
    contact = ContactFactory(workspace=workspace, job_title="Director")
    scoring_refresh_workspace(workspace=workspace)
    scoring_rule_update(workspace=workspace, actor=None, rule=rule, points=20)
    scoring_refresh_workspace(workspace=workspace)
    assert score_of(contact) == (20, 0, 20)
    scoring_rule_update(workspace=workspace, actor=None, rule=rule, active=False)
    scoring_refresh_workspace(workspace=workspace)
    assert score_of(contact) == (0, 0, 0)
    scoring_rule_update(workspace=workspace, actor=None, rule=rule, active=True)
    scoring_refresh_workspace(workspace=workspace)
    scoring_rule_delete(workspace=workspace, actor=None, rule=rule)
    scoring_refresh_workspace(workspace=workspace)
    assert score_of(contact) == (0, 0, 0)
    assert not Contribution.objects.exists()


def test_a_field_rule_on_the_company(workspace):
    from tests.contacts.factories import AccountFactory

    f.field_rule(
        workspace,
        name="Big",
        conditions={
            "op": "and",
            "rules": [{"field": "account_size", "operator": "in", "value": ["1000+"]}],
        },
        points=7,
    )
    big = AccountFactory(workspace=workspace, size="1000+")
    small = AccountFactory(workspace=workspace, size="1-10")
    inside = ContactFactory(workspace=workspace, account=big)
    outside = ContactFactory(workspace=workspace, account=small)
    private = ContactFactory(workspace=workspace)
    scoring_refresh_workspace(workspace=workspace)
    assert [score_of(c)[0] for c in (inside, outside, private)] == [7, 0, 0]


def test_the_score_segment_rules_count_correctly(workspace):
    f.event_rule(workspace, points=10)
    hot, warm = ContactFactory(workspace=workspace), ContactFactory(workspace=workspace)
    cold = ContactFactory(workspace=workspace)  # no score row: a score of 0
    for _ in range(3):
        form_sent(workspace, hot)
    form_sent(workspace, warm)
    scoring_run_workspace(workspace=workspace)

    def matching(field, operator, value):
        tree = {"op": "and", "rules": [{"field": field, "operator": operator, "value": value}]}
        return set(Contact.objects.filter(rules_compile(workspace, tree)))

    assert matching("lead_score_total", "gte", 20) == {hot}
    assert matching("lead_score_total", "gte", 10) == {hot, warm}
    assert matching("lead_score_total", "lte", 10) == {warm, cold}
    assert matching("lead_score_engagement", "gte", 0) == {hot, warm, cold}
    assert matching("lead_score_fit", "gte", 1) == set()
    assert matching("lead_score_fit", "lte", -1) == set()


def test_another_workspace_is_not_scored(workspace, other_workspace):
    from workspaces.scoping import workspace_scope

    f.event_rule(workspace, points=10)
    with workspace_scope(other_workspace):
        stranger = ContactFactory(workspace=other_workspace)
        form_sent(other_workspace, stranger)
        scoring_run_workspace(workspace=other_workspace)
        assert not Contribution.objects.exists()
    scoring_run_workspace(workspace=workspace)
    assert not Contribution.objects.exists()


def test_a_merge_keeps_one_field_contribution_and_rescoring_follows(workspace, owner):
    from contacts.services.merging import contact_merge

    f.field_rule(workspace, points=15)
    f.event_rule(workspace, points=10)
    survivor = ContactFactory(workspace=workspace, job_title="Director")
    loser = ContactFactory(workspace=workspace, job_title="Director")
    form_sent(workspace, loser)
    scoring_refresh_workspace(workspace=workspace)
    assert score_of(loser) == (15, 10, 25)
    contact_merge(workspace=workspace, actor=owner, survivor=survivor, loser=loser)
    scoring_run_workspace(workspace=workspace)
    assert Contribution.objects.filter(contact=survivor).count() == 2
    assert score_of(survivor) == (15, 10, 25)


def test_a_new_event_rule_scores_recent_history_once(workspace):
    f.settings(workspace, half_life_days=10, threshold=None)
    f.event_rule(workspace, name="Other", kind="", channel="phone", points=1)  # the beat runs
    contact = ContactFactory(workspace=workspace)
    with time_machine.travel(T0, tick=False):
        form_sent(workspace, contact, at=T0 - datetime.timedelta(days=200))  # past the horizon
        form_sent(workspace, contact, at=T0 - datetime.timedelta(days=10))
        scoring_run_workspace(workspace=workspace)  # the cursor passes both: no rule for them
        assert not Contribution.objects.exists()
        f.event_rule(workspace, points=10)
        scoring_refresh_workspace(workspace=workspace)
        scoring_refresh_workspace(workspace=workspace)
        assert list(Contribution.objects.values_list("points", flat=True)) == [10]
        assert score_of(contact) == (0, 5, 5)


def test_the_hourly_pass_drops_fit_that_time_took_away(workspace):
    f.field_rule(
        workspace,
        name="New",
        conditions={
            "op": "and",
            "rules": [{"field": "created", "operator": "within_days", "value": 7}],
        },
        points=5,
    )
    with time_machine.travel(T0, tick=False):
        contact = ContactFactory(workspace=workspace)
        scoring_refresh_workspace(workspace=workspace)
        assert score_of(contact) == (5, 0, 5)
    with time_machine.travel(T0 + datetime.timedelta(days=10), tick=False):
        scoring_run_workspace(workspace=workspace)  # no change event: still 5
        assert score_of(contact) == (5, 0, 5)
        scoring_decay_workspace(workspace=workspace)
        assert score_of(contact) == (0, 0, 0)
