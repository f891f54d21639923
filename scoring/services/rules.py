"""Scoring rules: create, change, delete. Field rules' conditions are segment rule trees
checked by contacts.segment_rules; every change wakes a scoring refresh after commit."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from contacts.segment_rules import RulesInvalid, rules_clean, rules_referenced
from touchpoints.registry import interaction_kind_get
from workspaces.changelog import snapshot
from workspaces.service_checks import (
    check_unknown,
    delete_recorded,
    full_clean_into,
    raise_if,
    same_workspace_require,
)

from ..models import Contribution, RuleKind, ScoringRule
from ._common import create_recorded, refresh_after_commit, update_recorded

RULE_FIELDS = frozenset(
    {
        "name",
        "category",
        "kind",
        "conditions",
        "event_kind",
        "event_channel",
        "points",
        "cap_points",
        "cap_period",
        "active",
    }
)


SCORE_KEYS = ("lead_score_total", "lead_score_fit", "lead_score_engagement")


def _check(workspace, rule: ScoringRule, errors: dict) -> None:
    if rule.kind == RuleKind.FIELD:
        if any(rules_referenced(rule.conditions, key) for key in SCORE_KEYS):
            errors["conditions"] = [_("A scoring rule cannot ask for the lead score itself.")]
            return
        try:
            rule.conditions = rules_clean(workspace, rule.conditions)
        except RulesInvalid as exc:
            for path, message in exc.errors.items():
                errors[f"conditions:{path}" if path else "conditions"] = [message]
    if rule.kind == RuleKind.EVENT and rule.event_kind:
        try:
            interaction_kind_get(rule.event_kind)
        except LookupError:
            errors["event_kind"] = [_("This kind of touch point does not exist.")]
    clash = ScoringRule.objects.filter(workspace=workspace, name=rule.name)
    if rule.pk:
        clash = clash.exclude(pk=rule.pk)
    if rule.name and clash.exists():
        errors["name"] = [_("A rule with this name exists already.")]
    full_clean_into(rule, errors, exclude=["workspace"])


@transaction.atomic
def scoring_rule_create(*, workspace, actor, **fields) -> ScoringRule:
    """A new rule (fields as ScoringRule's; `conditions` a segment rule tree for a field
    rule). ValidationError keyed by field, conditions errors by "conditions:<rule path>".
    Records its creation; its points are given by the refresh that runs after commit."""
    check_unknown(fields, RULE_FIELDS)
    rule = ScoringRule(workspace=workspace, **fields)
    errors: dict = {}
    _check(workspace, rule, errors)
    raise_if(errors)
    create_recorded(workspace, actor, rule, sorted(fields))
    refresh_after_commit(workspace)
    return rule


@transaction.atomic
def scoring_rule_update(*, workspace, actor, rule: ScoringRule, **fields) -> ScoringRule:
    """Change the given fields of `rule` (same checks as create). Points given before stay
    with the points of their time, except a field rule's, which follow the rule (the refresh
    after commit re-evaluates it). Records the changed fields."""
    check_unknown(fields, RULE_FIELDS)
    same_workspace_require(workspace=workspace, obj=rule, field="rule")
    before = snapshot(rule)
    for name, value in fields.items():
        setattr(rule, name, value)
    errors: dict = {}
    _check(workspace, rule, errors)
    raise_if(errors)
    if update_recorded(workspace, actor, rule, before):
        refresh_after_commit(workspace)
    return rule


@transaction.atomic
def scoring_rule_delete(*, workspace, actor, rule: ScoringRule) -> None:
    """Delete `rule` and the points it gave (scores are recomputed after commit). The
    contributions are derived rows and go without tombstones; the rule's is recorded."""
    same_workspace_require(workspace=workspace, obj=rule, field="rule")
    Contribution.objects.filter(workspace=workspace, rule=rule).delete()
    delete_recorded(workspace=workspace, actor=actor, instance=rule)
    refresh_after_commit(workspace)


def rule_errors_for_form(exc: ValidationError) -> tuple[dict, dict]:
    """Split a service's ValidationError into (field errors, condition errors by path)."""
    fields, conditions = {}, {}
    for key, messages in exc.message_dict.items():
        if key.startswith("conditions:"):
            conditions[key.removeprefix("conditions:")] = " ".join(messages)
        else:
            fields[key] = messages
    return fields, conditions
