"""Duplicate review and merge pages, and "Merge with…" from a contact's page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from workspaces.mixins import workspace_view
from workspaces.urlnames import workspace_reverse

from ..forms.merging import MergeForm
from ..models import Contact, CustomFieldEntity
from ..selectors.custom_fields import custom_field_list
from ..selectors.duplicates import RECENT_WINDOW, contact_duplicates, duplicate_groups
from ..selectors.merges import contact_merged_into, merge_candidates
from ..services.merging import contact_merge


def _htmx_target(request) -> str:
    return (request.htmx.target or "") if request.htmx else ""


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


def _merged_pair_redirect(request, pk, other):
    """When either contact was merged away meanwhile (a stale link of the duplicates page):
    the page for the contacts they became, or, when they are one contact now, its page. None
    when both exist (or an id is unknown: the caller answers 404)."""
    workspace = request.workspace
    ids = {}
    for key, value in (("pk", pk), ("other", other)):
        if Contact.objects.filter(pk=value).exists():
            ids[key] = value
        else:
            ids[key] = contact_merged_into(workspace=workspace, pk=value)
            if ids[key] is None:
                return None
    if ids == {"pk": pk, "other": other}:
        return None
    if ids["pk"] == ids["other"]:
        messages.info(request, _("These contacts were merged already."))
        return redirect(workspace_reverse(workspace, "contacts:detail", pk=ids["pk"]))
    messages.info(request, _("One of these contacts was merged into another meanwhile."))
    return redirect(workspace_reverse(workspace, "contacts:merge", **ids))


@workspace_view("contacts.merge")
def merge(request, pk, other):
    """Side-by-side review of two contacts with the outcome of the current choices (what is
    kept, moved, not kept); POST merges `other` into `pk`. An htmx GET with the choices
    returns the outcome only (it follows the radios)."""
    if pk != other and (moved := _merged_pair_redirect(request, pk, other)) is not None:
        return moved
    base = Contact.objects.select_related("account", "owner")
    survivor = get_object_or_404(base, pk=pk)
    loser = get_object_or_404(base, pk=other)
    if survivor.pk == loser.pk:
        messages.error(request, _("A contact cannot be merged with itself."))
        return redirect(workspace_reverse(request.workspace, "contacts:duplicates"))
    custom_fields = custom_field_list(workspace=request.workspace, entity=CustomFieldEntity.CONTACT)
    outcome_only = request.method == "GET" and _htmx_target(request) == "merge-outcome"
    data = request.POST if request.method == "POST" else (request.GET if outcome_only else None)
    form = MergeForm(
        data,
        workspace=request.workspace,
        survivor=survivor,
        loser=loser,
        custom_fields=custom_fields,
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
    context = {
        "survivor": survivor,
        "loser": loser,
        "form": form,
        "plan": form.plan(),
        "title": _("Merge contacts"),
    }
    if outcome_only:
        return render(request, "contacts/merge_review.html#outcome", context)
    context.update(
        survivor_interactions=survivor.interactions.count(),
        loser_interactions=loser.interactions.count(),
    )
    return render(request, "contacts/merge_review.html", context)


@workspace_view("contacts.merge")
@require_safe
def merge_with(request):
    """ "Merge with…" (a button on the contact page, ?contact=<id>): the contact's likely
    duplicates and a search (name or email from its start, an exact phone) for any other
    contact; each result leads to the merge page with this contact staying. An htmx request
    returns the results only."""
    contact_id = request.GET.get("contact") or ""
    if not contact_id.isdigit():
        messages.error(request, _("Choose a contact first."))
        return redirect(workspace_reverse(request.workspace, "contacts:list"))
    contact = get_object_or_404(Contact.objects.select_related("account"), pk=contact_id)
    query = (request.GET.get("q") or "").strip()[:200]
    found = merge_candidates(workspace=request.workspace, query=query, exclude_pk=contact.pk)
    context = {"contact": contact, "query": query, "results": found.contacts, "more": found.more}
    if _htmx_target(request) == "merge-results":
        return render(request, "contacts/merge_with.html#results", context)
    context.update(
        suggested=contact_duplicates(workspace=request.workspace, contact=contact),
        title=_("Merge %(name)s with…") % {"name": contact},
    )
    return render(request, "contacts/merge_with.html", context)
