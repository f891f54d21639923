"""The rules page of scoring (list, new, edit, delete; a field rule's conditions drawn with
the segment builder's templates) and the scoring settings. Reading needs scoring.view;
changing needs scoring.edit."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from contacts.segment_builder import error_paths, tree_from_form, tree_view
from contacts.segment_rules import RuleContext
from touchpoints.registry import interaction_kind_label
from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.roles import has_perm
from workspaces.urlnames import workspace_reverse

from ..forms.rules import RuleForm, ScoringSettingsForm
from ..models import Category, RuleKind, ScoringRule
from ..services.rules import (
    rule_errors_for_form,
    scoring_rule_create,
    scoring_rule_delete,
    scoring_rule_update,
)
from ..services.scores import settings_get
from ..services.settings import scoring_settings_update

EMPTY_TREE = {"op": "and", "rules": []}


@workspace_view("scoring.view")
def rule_list(request):
    """Every rule, fit first, then engagement, by name; the settings in a side card."""
    rules = list(
        ScoringRule.objects.filter(workspace=request.workspace).order_by("category", "name")
    )
    for rule in rules:  # the registered label, not the key ("Form submitted", not form.submitted)
        rule.event_kind_label = interaction_kind_label(rule.event_kind) if rule.event_kind else ""
    return render(
        request,
        "scoring/rules.html",
        {
            "title": _("Lead scoring"),
            "rules": rules,
            "settings": settings_get(request.workspace),
            "can_edit": has_perm(request.membership.role, "scoring.edit"),
        },
    )


def _shape_changed(data) -> bool:
    """True when a rule's field or operator differs from what its inputs were drawn for."""
    for entry in data.getlist("n")[:200]:
        kind, _sep, path = entry.partition(":")
        if kind == "r":
            posted = f"{data.get(f'r-{path}-field', '')}|{data.get(f'r-{path}-operator', '')}"
            if posted != data.get(f"r-{path}-shown", posted):
                return True
    return False


def _context(request, *, rule, form, tree, errors, ctx):
    return {
        "title": rule.name if rule else _("New scoring rule"),
        "rule": rule,
        "form": form,
        "builder": tree_view(tree, ctx, errors),
        "preview_url": workspace_reverse(request.workspace, "scoring:rule_preview"),
    }


def _new_rule_initial(kind) -> dict:
    """A new rule's starting values: `kind` from `?kind=` (field unless "event"); an event
    rule counts towards engagement (what the contact did), a field rule towards fit."""
    kind = RuleKind.EVENT if kind == RuleKind.EVENT else RuleKind.FIELD
    category = Category.ENGAGEMENT if kind == RuleKind.EVENT else Category.FIT
    return {"active": True, "kind": kind, "category": category}


def _rule_page(request, rule=None):
    ctx = RuleContext(request.workspace)
    initial = (
        {
            "name": rule.name,
            "category": rule.category,
            "kind": rule.kind,
            "event_kind": rule.event_kind,
            "event_channel": rule.event_channel,
            "points": rule.points,
            "cap_points": rule.cap_points,
            "cap_period": rule.cap_period,
            "active": rule.active,
        }
        if rule
        else _new_rule_initial(request.GET.get("kind"))
    )
    form = RuleForm(request.POST or None, workspace=request.workspace, initial=initial)
    tree = (rule.conditions or EMPTY_TREE) if rule else EMPTY_TREE
    errors: dict = {}
    if request.method == "POST":
        tree, error = tree_from_form(request.POST, ctx)
        errors = {"": error} if error else {}
        reshaping = bool(request.POST.get("action"))  # add/remove without JavaScript
        if form.is_valid() and not errors and not reshaping:
            fields = form.service_fields()
            if fields["kind"] == RuleKind.FIELD:
                fields["conditions"] = tree
            try:
                if rule:
                    rule = scoring_rule_update(
                        workspace=request.workspace, actor=request.user, rule=rule, **fields
                    )
                else:
                    rule = scoring_rule_create(
                        workspace=request.workspace, actor=request.user, **fields
                    )
            except ValidationError as exc:
                field_errors, errors = rule_errors_for_form(exc)
                apply_service_errors(form, ValidationError(field_errors))
            else:
                messages.success(request, _("Saved the rule “%(name)s”.") % {"name": rule.name})
                return redirect(workspace_reverse(request.workspace, "scoring:rules"))
    context = _context(request, rule=rule, form=form, tree=tree, errors=errors, ctx=ctx)
    status = 400 if request.method == "POST" and not request.POST.get("action") else 200
    return render(request, "scoring/rule_form.html", context, status=status)


@workspace_view("scoring.edit")
def rule_create_view(request):
    """A new rule (`?kind=event` opens it as an event rule)."""
    return _rule_page(request)


@workspace_view("scoring.edit")
def rule_edit_view(request, pk):
    """Change a rule; `action=delete` deletes it with the points it gave."""
    rule = get_object_or_404(ScoringRule, pk=pk)
    if request.method == "POST" and request.POST.get("action") == "delete":
        scoring_rule_delete(workspace=request.workspace, actor=request.user, rule=rule)
        messages.success(request, _("Deleted the rule “%(name)s”.") % {"name": rule.name})
        return redirect(workspace_reverse(request.workspace, "scoring:rules"))
    return _rule_page(request, rule)


@workspace_view("scoring.edit")
def rule_preview(request):
    """htmx: the conditions redrawn after a change of shape (a rule added or removed) or of
    a rule's field or operator; 204 (nothing to swap) for any other change."""
    if request.method != "POST":
        raise Http404
    if not request.POST.get("action") and not _shape_changed(request.POST):
        return HttpResponse(status=204)
    ctx = RuleContext(request.workspace)
    tree, error = tree_from_form(request.POST, ctx)
    errors = {"": error} if error else {}
    context = _context(
        request, rule=None, form=None, tree=tree or EMPTY_TREE, errors=errors, ctx=ctx
    )
    context["errors_shown"] = error_paths(errors)
    return render(request, "scoring/rule_form.html#conditions", context)


@workspace_view("scoring.view", write_perm="scoring.edit")
def settings_view(request):
    """The half-life, the threshold and the owner given on crossing."""
    current = settings_get(request.workspace)
    form = ScoringSettingsForm(request.POST or None, workspace=request.workspace, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            scoring_settings_update(
                workspace=request.workspace,
                actor=request.user,
                half_life_days=form.cleaned_data["half_life_days"],
                threshold=form.cleaned_data["threshold"],
                owner=form.cleaned_data["owner"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Scoring settings saved."))
            return redirect(workspace_reverse(request.workspace, "scoring:rules"))
    return render(
        request,
        "scoring/settings.html",
        {
            "title": _("Scoring settings"),
            "form": form,
            "can_edit": has_perm(request.membership.role, "scoring.edit"),
        },
    )
