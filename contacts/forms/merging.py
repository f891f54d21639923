"""The merge review form: one radio per field whose values differ."""

from django import forms
from django.utils.translation import gettext as _, gettext_lazy

from workspaces.forms import WorkspaceForm

from ..services.merging import mergeable_fields

SIDE_CHOICES = [("survivor", gettext_lazy("Keep")), ("loser", gettext_lazy("Take"))]


def _display(contact, field):
    if field.choices:
        return (
            getattr(contact, f"get_{field.name}_display")()
            if getattr(contact, field.attname)
            else ""
        )
    if field.is_relation:
        return str(getattr(contact, field.name) or "")
    value = getattr(contact, field.attname)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return "" if value is None else value


class MergeForm(WorkspaceForm):
    """One radio per field whose values differ: keep the survivor's or take the other's."""

    def __init__(self, *args, survivor, loser, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for field in mergeable_fields():
            mine, theirs = _display(survivor, field), _display(loser, field)
            same = getattr(survivor, field.attname) == getattr(loser, field.attname)
            name = f"pick_{field.name}"
            initial = "loser" if mine in ("", None) else "survivor"
            if self.is_bound:
                initial = self.data.get(name, initial)
            if not same:
                self.fields[name] = forms.ChoiceField(
                    choices=SIDE_CHOICES,
                    initial=initial,
                    widget=forms.RadioSelect,
                    required=True,
                    label=field.verbose_name,
                )
            self.rows.append(
                {
                    "label": field.verbose_name,
                    "name": name,
                    "mine": mine,
                    "theirs": theirs,
                    "same": same,
                    "initial": initial,
                }
            )

    def choices(self) -> dict[str, str]:
        return {
            k.removeprefix("pick_"): v
            for k, v in self.cleaned_data.items()
            if k.startswith("pick_")
        }
