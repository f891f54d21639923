"""Isolation cases of the scoring rules pages (tests/isolation.py)."""

from scoring.models import RuleKind, ScoringRule
from tests.isolation import register


@register("scoring:rule_edit")
def rule_in(workspace, user):
    rule = ScoringRule.all_workspaces.create(
        workspace=workspace,
        name="Opened",
        kind=RuleKind.EVENT,
        event_kind="form.submitted",
        points=5,
    )
    return {"pk": rule.pk}, rule
