"""The "branch" step: a condition (a rule tree of the segment engine,
contacts/segment_rules.py) evaluated for the enrolled contact now: edge "yes" or "no"."""

import json

from django import forms
from django.utils.translation import gettext as _, gettext_lazy

from contacts.models import Contact
from contacts.segment_rules import RulesInvalid, rules_clean, rules_compile

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


def summary(params: dict) -> str:
    """ "If 2 conditions"."""
    rules = ((params or {}).get("condition") or {}).get("rules") or []
    return _("If %(count)s condition(s) match") % {"count": len(rules)}


STEP_TYPE = StepType(
    key="branch",
    label=gettext_lazy("Branch"),
    run=run,
    edges=("yes", "no"),
    params_form=BranchForm,
    summary=summary,
)
