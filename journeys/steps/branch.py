"""The "branch" step: a condition (a rule tree of the segment engine,
contacts/segment_rules.py) evaluated for the enrolled contact now: edge "yes" or "no"."""

import json

from django import forms
from django.utils.translation import gettext as _, gettext_lazy

from contacts.models import Contact
from contacts.segment_rules import (
    OPERATORS,
    RuleContext,
    RulesInvalid,
    rules_clean,
    rules_compile,
)

from .params import StepParamsForm
from .registry import StepContext, StepFailed, StepOutcome, StepType


class RulesField(forms.JSONField):
    """A rule tree as JSON (the builder's rule editor fills it)."""


class BranchForm(StepParamsForm):
    condition = RulesField(
        label=gettext_lazy("Condition"),
        help_text=gettext_lazy("Contacts who match follow “yes”, the others “no”."),
    )

    def clean_condition(self):
        tree = self.cleaned_data.get("condition")
        if isinstance(tree, str):
            tree = json.loads(tree)
        try:
            return rules_clean(self.workspace, tree)
        except RulesInvalid as exc:
            raise forms.ValidationError(str(exc)) from exc


def contact_matches(*, workspace, contact, tree) -> bool:
    """True when `contact` matches the rule tree `tree` now (one query). Raises RulesInvalid
    for a tree that no longer checks (a deleted tag or custom field)."""
    q = rules_compile(workspace, tree)
    return Contact.objects.filter(workspace=workspace, pk=contact.pk).filter(q).exists()


def run(ctx: StepContext) -> StepOutcome:
    """Edge "yes" when the contact matches the condition, else "no". A condition that no
    longer checks (it names a deleted tag, segment or field) fails the enrolment."""
    tree = (ctx.step.params or {}).get("condition") or {}
    try:
        matched = contact_matches(workspace=ctx.workspace, contact=ctx.contact, tree=tree)
    except RulesInvalid as exc:
        raise StepFailed(_("The condition no longer works: %(error)s") % {"error": exc}) from exc
    return StepOutcome(edge="yes" if matched else "no", data={"matched": matched})


def _leaves(node) -> list[dict]:
    """The rules of a tree (groups flattened), in order."""
    found = []
    for child in (node or {}).get("rules") or []:
        if isinstance(child, dict) and "rules" in child:
            found.extend(_leaves(child))
        elif isinstance(child, dict):
            found.append(child)
    return found


def _rule_text(rule: dict) -> str:
    """ "Lifecycle stage is any of": the rule's label (a custom field's key when it is one,
    as the summary has no workspace to read) and its operator."""
    key = rule.get("field") or ""
    found = None if key.startswith("custom.") else RuleContext(None).rule(key)
    label = str(found.label) if found else key.removeprefix("custom.")
    operator = OPERATORS.get(rule.get("operator"))
    return f"{label} {operator}" if operator else label


def summary(params: dict) -> str:
    """ "If Lifecycle stage is any of" or "If Has a won deal yes, +2 more": the first rule and
    how many more there are."""
    rules = _leaves((params or {}).get("condition"))
    if not rules:
        return _("If the condition matches")
    first = _rule_text(rules[0])
    if len(rules) == 1:
        return _("If %(rule)s") % {"rule": first}
    return _("If %(rule)s, +%(more)s more") % {"rule": first, "more": len(rules) - 1}


STEP_TYPE = StepType(
    key="branch",
    label=gettext_lazy("Branch"),
    run=run,
    edges=("yes", "no"),
    params_form=BranchForm,
    summary=summary,
)
