"""Duplicate review and merge pages."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _, gettext_lazy

from workspaces.forms import WorkspaceForm
from workspaces.mixins import workspace_view
from workspaces.urlnames import workspace_reverse

from ..models import Contact
from ..selectors.duplicates import RECENT_WINDOW, duplicate_groups
from ..services.merging import contact_merge, mergeable_fields

SIDE_CHOICES = [("survivor", gettext_lazy("Keep")), ("loser", gettext_lazy("Take"))]


@workspace_view("contacts.merge")
def duplicates(request):
    """Likely duplicates (same email, same phone, similar name at one account)."""
    scan_all = request.GET.get("scope") == "all"
    groups = duplicate_groups(
        workspace=request.workspace, window=None if scan_all else RECENT_WINDOW
    )
    return render(
        request,
        "contacts/dedupe_list.html",
        {
            "groups": groups,
            "scan_all": scan_all,
            "window": RECENT_WINDOW,
            "title": _("Possible duplicates"),
        },
    )


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


@workspace_view("contacts.merge")
def merge(request, pk, other):
    """Side-by-side review of two contacts; POST merges `other` into `pk`."""
    base = Contact.objects.select_related("account", "owner")
    survivor = get_object_or_404(base, pk=pk)
    loser = get_object_or_404(base, pk=other)
    if survivor.pk == loser.pk:
        messages.error(request, _("A contact cannot be merged with itself."))
        return redirect(workspace_reverse(request.workspace, "contacts:duplicates"))
    form = MergeForm(
        request.POST or None, workspace=request.workspace, survivor=survivor, loser=loser
    )
    if request.method == "POST" and form.is_valid():
        try:
            merged = contact_merge(
                workspace=request.workspace,
                actor=request.user,
                survivor=survivor,
                loser=loser,
                choices=form.choices(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("The contacts were merged; the history of both is kept here.")
            )
            return redirect(workspace_reverse(request.workspace, "contacts:detail", pk=merged.pk))
    return render(
        request,
        "contacts/merge_review.html",
        {
            "survivor": survivor,
            "loser": loser,
            "form": form,
            "survivor_touchpoints": survivor.interactions.count(),
            "loser_touchpoints": loser.interactions.count(),
            "title": _("Merge contacts"),
        },
    )
