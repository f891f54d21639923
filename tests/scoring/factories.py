"""Scoring rows for tests, made through the services (the refresh they wake after commit
does not run inside a test's transaction: tests call the runs themselves)."""

from scoring.models import CapPeriod, Category, RuleKind
from scoring.services.rules import scoring_rule_create
from scoring.services.settings import scoring_settings_update


def event_rule(
    workspace,
    *,
    name="Form sent",
    kind="form.submitted",
    channel="",
    points=10,
    cap=None,
    period=CapPeriod.NONE,
    category=Category.ENGAGEMENT,
    actor=None,
):
    return scoring_rule_create(
        workspace=workspace,
        actor=actor,
        name=name,
        category=category,
        kind=RuleKind.EVENT,
        event_kind=kind,
        event_channel=channel,
        points=points,
        cap_points=cap,
        cap_period=period,
    )


def field_rule(
    workspace, *, name="Director", conditions=None, points=15, category=Category.FIT, actor=None
):
    return scoring_rule_create(
        workspace=workspace,
        actor=actor,
        name=name,
        category=category,
        kind=RuleKind.FIELD,
        conditions=conditions
        or {
            "op": "and",
            "rules": [{"field": "job_title", "operator": "contains", "value": "Director"}],
        },
        points=points,
    )


def settings(workspace, *, half_life_days=30, threshold=50, owner=None):
    return scoring_settings_update(
        workspace=workspace,
        actor=None,
        half_life_days=half_life_days,
        threshold=threshold,
        owner=owner,
    )


def contribution_make(workspace, *, contact, points=10):
    """One contribution of an event rule for a form the contact sent, through the scoring run."""
    from scoring.models import Contribution
    from scoring.services.runs import scoring_run_workspace
    from touchpoints.services import interaction_record

    rule = event_rule(workspace, name=f"Form sent {contact.pk}", points=points)
    interaction = interaction_record(
        workspace=workspace, kind="form.submitted", channel="website", contact=contact
    )
    scoring_run_workspace(workspace=workspace)
    return Contribution.objects.get(rule=rule, interaction=interaction)
