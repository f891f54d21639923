"""Form widgets shared by every app.

`AutocompleteSelect` is the picker for a foreign key to a table that can hold a million rows
(contacts, accounts, deals): instead of a <select> with an <option> per row it renders a
text box (an ARIA combobox) and a hidden input with the chosen id; static/js/autocomplete.js
asks a small JSON endpoint of the workspace for the rows whose name starts with what was
typed. The form field stays a ModelChoiceField over the workspace's rows, so the posted id is
validated as before (another workspace's id: "Select a valid choice").

    contact = SafeModelChoiceField(
        queryset=Contact.objects.none(),
        widget=AutocompleteSelect("contacts:contact_pick"),
    )

The endpoint (GET ?q=<text>, plus the widget's `params`) answers
{"results": [{"id", "label", "detail"}], "more": bool}; the workspace base forms give the
widget its workspace (`bind_workspace`), which names the endpoint's address.
"""

import json
from itertools import count

from django import forms
from django.utils.translation import gettext_lazy as _

from .urlnames import workspace_reverse

_listbox_ids = count(1)


class AutocompleteSelect(forms.Widget):
    """A keyboard-accessible autocomplete over a JSON endpoint (see the module docstring).

    `url_name`: the endpoint's URL name (under /w/<slug>/); `params`: extra query
    parameters (e.g. {"open": "1"}); `suggestions`: [(id, label)] offered before anything is
    typed (e.g. possible duplicates). Rendering reads the chosen row's label only (one query
    by primary key, none without a value); it never iterates the field's choices."""

    template_name = "workspaces/autocomplete.html"

    def __init__(self, url_name: str, *, params=None, placeholder=None, attrs=None):
        super().__init__(attrs)
        self.url_name = url_name
        self.params = dict(params or {})
        self.placeholder = placeholder
        self.suggestions: list[tuple[int, str]] = []
        self.url = ""

    def __deepcopy__(self, memo):
        copied = super().__deepcopy__(memo)
        copied.params = dict(self.params)
        copied.suggestions = list(self.suggestions)
        return copied

    def bind_workspace(self, workspace) -> None:
        """Resolve the endpoint's address in `workspace` (called by the workspace forms)."""
        self.url = workspace_reverse(workspace, self.url_name)

    def _label(self, value) -> str:
        """The label of the chosen row, through the field's own queryset and labels."""
        choices = getattr(self, "choices", None)
        queryset = getattr(choices, "queryset", None)
        if value in (None, "") or queryset is None or not str(value).isdigit():
            return ""
        for pk, label in self.suggestions:
            if str(pk) == str(value):
                return label
        obj = queryset.filter(pk=value).first()
        return choices.field.label_from_instance(obj) if obj is not None else ""

    def format_value(self, value):
        if value in (None, ""):
            return ""
        return str(getattr(value, "pk", value))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        chosen = widget["value"]
        widget["attrs"].setdefault("placeholder", str(self.placeholder or _("Type to search…")))
        listbox = f"{widget['attrs'].get('id') or name}-listbox-{next(_listbox_ids)}"
        widget.update(
            url=self.url,
            params=json.dumps(self.params) if self.params else "",
            label=self._label(chosen),
            listbox_id=listbox,
            suggestions=json.dumps(
                [{"id": pk, "label": str(label), "detail": ""} for pk, label in self.suggestions]
            )
            if self.suggestions
            else "",
            texts=json.dumps(
                {
                    "none": str(_("No matches.")),
                    "more": str(_("More matches: type more of the name.")),
                    "one": str(_("One match. Use the arrow keys to choose.")),
                    "count": str(_("%(n)s matches. Use the arrow keys to choose.")),
                    "chosen": str(_("Chosen: %(label)s")),
                    "error": str(_("The search did not answer. Try again.")),
                }
            ),
        )
        return context

    def value_from_datadict(self, data, files, name):
        return data.get(name)
