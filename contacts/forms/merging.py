"""The merge review form: one radio per decision of `contacts.merge_plan.merge_choices`
(fields whose values differ, the address as one, custom fields both records fill), the
consent rows fixed (they follow the restrictive rule), and the plan of the merged record
for the current choices (what is kept, moved and not kept)."""

from django import forms
from django.utils.translation import gettext as _, gettext_lazy

from workspaces.forms import WorkspaceForm

from ..merge_plan import (
    ADDRESS,
    CONSENT_FIELDS,
    MergePlan,
    address_display,
    decision_keys,
    display,
    merge_choices,
    merge_plan,
    mergeable_fields,
)

SIDE_CHOICES = [("survivor", gettext_lazy("Keep")), ("loser", gettext_lazy("Take"))]
PREFIX = "pick_"


class MergeForm(WorkspaceForm):
    """`rows` lists every field for the page: {"label", "name", "mine", "theirs", "same",
    "initial", "fixed"} ("fixed": the consent rows, whose result the plan decides)."""

    def __init__(self, *args, survivor, loser, custom_fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.survivor, self.loser, self.custom_fields = survivor, loser, list(custom_fields)
        decisions = {c.key: c for c in merge_choices(survivor, loser, self.custom_fields)}
        self.rows = []
        fields = {f.name: f for f in mergeable_fields()}
        for key in decision_keys():
            if key == ADDRESS:
                self._row(
                    decisions.get(ADDRESS),
                    ADDRESS,
                    gettext_lazy("address"),
                    address_display(survivor),
                    address_display(loser),
                )
                continue
            field = fields[key]
            self._row(
                decisions.get(key),
                key,
                field.verbose_name,
                display(survivor, field),
                display(loser, field),
                fixed=key in CONSENT_FIELDS,
            )
        for decision in decisions.values():
            if decision.key.startswith("custom:"):
                self._row(decision, decision.key, decision.label, decision.mine, decision.theirs)

    def _row(self, decision, key, label, mine, theirs, fixed=False):
        name = PREFIX + key
        row = {
            "key": key,
            "label": label,
            "name": name,
            "mine": mine,
            "theirs": theirs,
            "same": mine == theirs,
            "fixed": fixed,
            "initial": None,
        }
        if decision is not None and not fixed:
            initial = decision.default
            if self.is_bound and self.data.get(name) in ("survivor", "loser"):
                initial = self.data[name]
            self.fields[name] = forms.ChoiceField(
                choices=SIDE_CHOICES,
                initial=decision.default,
                widget=forms.RadioSelect,
                required=True,
                label=label,
            )
            row.update(initial=initial, same=False)
        self.rows.append(row)

    def choices(self) -> dict[str, str]:
        """The cleaned choices, {key: "survivor" | "loser"} (after is_valid())."""
        return {
            k.removeprefix(PREFIX): v for k, v in self.cleaned_data.items() if k.startswith(PREFIX)
        }

    def current_choices(self) -> dict[str, str]:
        """The choices as the page shows them now: the submitted ones where they are valid,
        else the defaults (for the preview of the plan)."""
        return {row["key"]: row["initial"] for row in self.rows if row["initial"]}

    def plan(self) -> MergePlan:
        """The merged record for the current choices; each fixed (consent) row gets its
        outcome as "result" ("yes" / "no")."""
        plan = merge_plan(self.survivor, self.loser, self.current_choices(), self.custom_fields)
        for row in self.rows:
            if row["fixed"]:
                row["result"] = _("yes") if plan.values[row["key"]] else _("no")
        return plan
