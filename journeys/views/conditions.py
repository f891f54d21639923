"""The live count of a journey's conditions while they are edited: the segment builder's
rule editor and figures (contacts.segment_builder, marketing's audience figures) behind an
endpoint for the roles that edit journeys (a manager may build journeys without editing
segments)."""

from django.http import Http404
from django.shortcuts import render

from contacts.segment_builder import tree_from_form, tree_view
from contacts.segment_rules import NO_VALUE, RuleContext, RulesInvalid, value_empty
from marketing.selectors.segments import audience_figures, rules_contacts
from workspaces.mixins import workspace_view
from workspaces.urlnames import workspace_reverse


def _shape_changed(data) -> bool:
    """True when a rule's field or operator differs from what its inputs were drawn for
    (the segment builder's `r-<path>-shown`): its inputs are redrawn, not only the count."""
    for entry in data.getlist("n")[:200]:
        kind, _sep, path = entry.partition(":")
        if kind == "r":
            posted = f"{data.get(f'r-{path}-field', '')}|{data.get(f'r-{path}-operator', '')}"
            if posted != data.get(f"r-{path}-shown", posted):
                return True
    return False


@workspace_view("journeys.edit")
def conditions_preview(request):
    """htmx: the conditions' live count (`part=count`), or the rules redrawn after a rule was
    added, removed or changed its field (with the count out of band): the segment builder's
    editor and figures, for the roles that edit journeys."""
    if request.method != "POST":
        raise Http404
    ctx = RuleContext(request.workspace)
    tree, error = tree_from_form(request.POST, ctx)
    errors = {"": error} if error else {}
    figures = None
    if not errors:
        try:
            contacts = rules_contacts(
                workspace=request.workspace, rules=_chosen_only(tree), ctx=ctx
            )
        except RulesInvalid as exc:
            errors = exc.errors
        else:
            figures = audience_figures(contacts, workspace=request.workspace)
    context = {
        "builder": tree_view(tree, ctx, errors),
        "errors": errors,
        "figures": figures,
        "preview_url": workspace_reverse(request.workspace, "journeys:conditions_preview"),
    }
    if request.POST.get("part") != "rules" and not _shape_changed(request.POST):
        return render(request, "marketing/segments/builder.html#count", context)
    response = render(request, "marketing/segments/_preview_rules.html", context)
    response["HX-Retarget"] = "#rules-builder"
    response["HX-Reswap"] = "innerHTML"
    return response


def _chosen_only(tree):
    """The tree without rules whose field or value is not chosen yet (the live count leaves
    them out while editing; saving refuses them)."""
    kept = []
    for child in tree.get("rules", []):
        if "rules" in child:
            kept.append(_chosen_only(child))
        elif child.get("field") and (
            child.get("operator") in NO_VALUE or not value_empty(child.get("value"))
        ):
            kept.append(child)
    return {**tree, "rules": kept}
