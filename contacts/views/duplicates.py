"""Duplicate review and merge pages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from workspaces.mixins import workspace_view
from workspaces.urlnames import workspace_reverse

from ..forms.merging import MergeForm
from ..models import Contact
from ..selectors.duplicates import RECENT_WINDOW, duplicate_groups
from ..services.merging import contact_merge


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
            "survivor_interactions": survivor.interactions.count(),
            "loser_interactions": loser.interactions.count(),
            "title": _("Merge contacts"),
        },
    )
