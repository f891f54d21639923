"""The journey builder: the journey's name, trigger (and its settings), conditions (the
segment rule editor, contacts.segment_builder; its live count in views/conditions.py), goal
and re-entry, and its steps as a vertical flow of cards (add any registered step type, edit
its settings, delete, move up or down; a branch holds one list of steps per path).

Everything works with plain form posts: a button's `action` changes the shape and the page
comes back with the posted values ("step-add:…", "add:<rule path>", "trigger" to show the
chosen trigger's settings); "save" stores a draft, "publish" stores and publishes. Editing a
live journey stores a new version (journey_update); running enrolments stay on theirs.
static/js/journey_builder.js only adds convenience (the trigger's settings appear on change,
the page keeps its scroll position)."""

import json
import re

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from contacts.segment_builder import tree_from_form, tree_view
from contacts.segment_rules import RuleContext, RulesInvalid, rules_clean
from workspaces.mixins import workspace_view
from workspaces.urlnames import workspace_reverse

from ..forms.builder import JourneyForm, params_of, settings_form
from ..forms.conditions import editor_prefix, posted_tree, rules_field_name, tree_of
from ..forms.flow import apply_action, steps_from_tree, tree_from_post, tree_from_steps, walk
from ..models import Journey, JourneyStatus, JourneyStep, Reentry
from ..selectors import journey_get
from ..services import journey_create, journey_publish, journey_update
from . import kinds

EMPTY_TREE = {"op": "and", "rules": []}
SAVE_ACTIONS = ("save", "publish")
STEP_NAMED = re.compile(r"\b(s[0-9]{1,6})\b")  # the step a service's message names


def journey_or_404(request, pk) -> Journey:
    """The workspace's journey `pk` with its current version (404 for another workspace's)."""
    try:
        return journey_get(workspace=request.workspace, pk=pk)
    except Journey.DoesNotExist:
        raise Http404 from None


def _stored_steps(journey) -> tuple[list[dict], str, int]:
    """(the current version's steps as rows, its first step key, the next key number: one
    more than any key any version used, so a new step never takes an old step's key)."""
    if journey is None:
        return [], "", 1
    rows = list(
        JourneyStep.objects.filter(workspace=journey.workspace, version__journey=journey)
        .order_by("position", "id")
        .values("version_id", "key", "kind", "params", "next_key", "branches")
    )
    used = max((int(r["key"][1:]) for r in rows if r["key"][1:].isdigit()), default=0)
    version = journey.current_version
    current = [r for r in rows if version and r["version_id"] == version.pk]
    return current, (version.first_step_key if version else ""), used + 1


class _Draft:
    """What the page shows and a save stores: the journey's fields, trigger and goal settings,
    condition tree and step tree, with the errors found in them."""

    def __init__(self, request, journey):
        self.request = request
        self.workspace = request.workspace
        self.journey = journey
        self.ctx = RuleContext(self.workspace)
        self.step_errors: dict[str, str] = {}
        self.rule_errors: dict[str, str] = {}
        self.errors: list[str] = []
        self.focus = ""

    # --- reading ---------------------------------------------------------------------

    def from_journey(self):
        journey = self.journey
        initial = None
        if journey:
            initial = {
                "name": journey.name,
                "description": journey.description,
                "trigger": journey.trigger,
                "goal": journey.goal,
                "reentry": journey.reentry,
                "reentry_days": journey.reentry_days,
            }
        self.form = self._journey_form(None, initial)
        self.trigger_key = journey.trigger if journey else ""
        self.goal_key = journey.goal if journey else ""
        self.trigger_form = self._trigger_form(
            None, initial=journey.trigger_params if journey else None
        )
        self.goal_form = self._goal_form(None, initial=journey.goal_params if journey else None)
        self.conditions = (journey.conditions if journey else None) or EMPTY_TREE
        rows, first, self.next_number = _stored_steps(journey)
        self.tree = tree_from_steps(rows, first_key=first, edges_of=kinds.edges_of)
        for node in walk(self.tree):
            node["form"] = self._step_form(node, initial=node["params"])
            field = self._rules_field(node)
            if field:
                self._rules_editor(node, tree_of(node["params"].get(field)))
        return self

    def from_post(self, action):
        data = self.request.POST
        judged = action in SAVE_ACTIONS
        self.form = self._journey_form(data, None)
        self.trigger_key = data.get("trigger", "")[:64]
        self.goal_key = data.get("goal", "")[:64]
        # settings drawn for another trigger than the one chosen now start empty
        same_trigger = data.get("trigger-shown", "") == self.trigger_key
        self.trigger_form = self._trigger_form(
            data if same_trigger or judged else None, quiet=not judged
        )
        same_goal = data.get("goal-shown", "") == self.goal_key
        self.goal_form = self._goal_form(data if same_goal or judged else None, quiet=not judged)
        self.conditions, error = tree_from_form(data, self.ctx)
        if error:
            self.rule_errors[""] = error
        self.tree, self.next_number = tree_from_post(data, edges_of=kinds.edges_of)
        if action.startswith("step-"):
            self.focus, self.next_number = apply_action(
                self.tree, action, data, self.next_number, edges_of=kinds.edges_of
            )
        data = data.copy()  # a branch's rule editor fills its condition field in
        for node in walk(self.tree):
            posted = not node.pop("new", False)
            field = self._rules_field(node)
            tree = None
            if posted and field:
                tree, error = posted_tree(data, node["key"], self.ctx)
                if tree is not None:
                    data[f"s-{node['key']}-{field}"] = json.dumps(tree)
                if error:
                    node["rule_errors"] = {"": error}
            node["form"] = self._step_form(node, data=data if posted else None, quiet=not judged)
            if field:
                self._rules_editor(node, tree if tree is not None else EMPTY_TREE)
        return self

    def _rules_field(self, node) -> str:
        found = kinds.step_type(node["kind"])
        node["rules_field"] = rules_field_name(found.params_form if found else None)
        return node["rules_field"]

    def _rules_editor(self, node, tree) -> None:
        """A branch's condition drawn with the segment rule editor (its JSON field hidden)."""
        field = node.get("rules_field") or self._rules_field(node)
        if not field or node["form"] is None:
            return
        node["form"].fields[field].widget = forms.HiddenInput()
        node["rule_tree"] = tree
        node["px"], node["ax"] = editor_prefix(node["key"])

    def _journey_form(self, data, initial):
        return JourneyForm(
            data,
            workspace=self.workspace,
            initial=initial,
            triggers=kinds.all_triggers(),
            goals=kinds.all_goals(),
        )

    def _trigger_form(self, data, *, initial=None, quiet=False):
        found = kinds.trigger(self.trigger_key)
        return settings_form(
            found.params_form if found else None,
            workspace=self.workspace,
            prefix="t",
            data=data,
            initial=initial,
            quiet=quiet,
        )

    def _goal_form(self, data, *, initial=None, quiet=False):
        found = kinds.goal(self.goal_key)
        return settings_form(
            getattr(found, "params_form", None) if found else None,
            workspace=self.workspace,
            prefix="g",
            data=data,
            initial=initial,
            quiet=quiet,
        )

    def _step_form(self, node, *, data=None, initial=None, quiet=False):
        found = kinds.step_type(node["kind"])
        return settings_form(
            found.params_form if found else None,
            workspace=self.workspace,
            prefix=f"s-{node['key']}",
            data=data,
            initial=initial,
            quiet=quiet,
        )

    # --- checking --------------------------------------------------------------------

    def check(self, *, publishing: bool) -> bool:
        """Judge every part; the messages go next to the field or step that is wrong."""
        ok = self.form.is_valid()
        if self.form.is_valid() and kinds.trigger(self.trigger_key) is None:
            self.form.add_error("trigger", _("Choose a trigger."))
            ok = False
        for settings in (self.trigger_form, self.goal_form):
            if settings is not None and not settings.is_valid():
                ok = False
        try:
            self.conditions = rules_clean(self.workspace, self.conditions, ctx=self.ctx)
        except RulesInvalid as exc:
            self.rule_errors.update(exc.errors)
        if self.rule_errors:
            ok = False
        for node in walk(self.tree):
            message = self._step_problem(node)
            if message:
                self.step_errors[node["key"]] = message
                ok = False
        if publishing and not self.tree:
            self.errors.append(_("Add at least one step before publishing."))
            ok = False
        return ok

    def _step_problem(self, node) -> str:
        found = kinds.step_type(node["kind"])
        if found is None:
            return _("Unknown step type “%(kind)s”: delete this step.") % {"kind": node["kind"]}
        form = node["form"]
        if node.get("rules_field"):
            try:
                rules_clean(self.workspace, node.get("rule_tree") or EMPTY_TREE, ctx=self.ctx)
            except RulesInvalid as exc:
                node.setdefault("rule_errors", {}).update(exc.errors)
            if node.get("rule_errors"):
                return _("Correct the condition of this step.")
        if form is not None and not form.is_valid():
            return _("Correct the settings of this step.")
        node["params"] = params_of(form) if form is not None else {}
        paths = node.get("paths")
        if paths is not None and not any(paths.values()):
            return _("A branch needs at least one step on one of its paths (%(edges)s).") % {
                "edges": ", ".join(paths)
            }
        return ""

    # --- saving ----------------------------------------------------------------------

    def save(self, actor) -> Journey | None:
        data = self.form.cleaned_data
        reentry = data["reentry"]
        fields = {
            "name": data["name"],
            "description": data["description"],
            "trigger": self.trigger_key,
            "trigger_params": params_of(self.trigger_form) if self.trigger_form else {},
            "conditions": {} if not self.conditions.get("rules") else self.conditions,
            "goal": {
                "key": self.goal_key if kinds.goal(self.goal_key) else "",
                "params": params_of(self.goal_form) if self.goal_form else {},
            },
            "reentry": {
                "policy": reentry,
                "days": data.get("reentry_days") if reentry == Reentry.AFTER_DAYS else None,
            },
            "steps": steps_from_tree(self.tree),
        }
        try:
            if self.journey:
                return journey_update(
                    workspace=self.workspace, actor=actor, journey=self.journey, **fields
                )
            return journey_create(workspace=self.workspace, actor=actor, **fields)
        except ValidationError as exc:
            self._place(exc)
            return None

    def _place(self, exc: ValidationError) -> None:
        """A service's refusal drawn where it belongs: a journey field, the step a "steps"
        message names ("Step s3: …"), a rule ("conditions:<path>"), else at the top."""
        step_keys = {node["key"] for node in walk(self.tree)}
        pairs = exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
        for key, texts in pairs:
            if key in self.form.fields and key in self.form.cleaned_data:
                self.form.add_error(key, texts)
                continue
            for text in texts:
                named = STEP_NAMED.search(text) if key == "steps" else None
                if named and named.group(1) in step_keys:
                    self.step_errors[named.group(1)] = text
                elif key.startswith("conditions:"):
                    self.rule_errors[key.removeprefix("conditions:")] = text
                else:
                    self.errors.append(text)

    # --- drawing ---------------------------------------------------------------------

    def context(self) -> dict:
        journey = self.journey
        step_types = kinds.all_step_types()
        labels = {t.key: t.label for t in step_types}
        for node in walk(self.tree):
            node["label"] = labels.get(node["kind"], node["kind"])
            node["error"] = self.step_errors.get(node["key"], "")
            if "rule_tree" in node:
                node["rules"] = tree_view(node["rule_tree"], self.ctx, node.get("rule_errors", {}))
            if "paths" in node:
                node["path_list"] = [
                    (edge, _edge_label(edge), nodes) for edge, nodes in node["paths"].items()
                ]
        return {
            "title": journey.name if journey else _("New journey"),
            "journey": journey,
            "live": bool(journey and journey.status == JourneyStatus.LIVE),
            "form": self.form,
            "trigger_form": self.trigger_form,
            "trigger_key": self.trigger_key,
            "goal_form": self.goal_form,
            "goal_key": self.goal_key,
            "builder": tree_view(self.conditions, self.ctx, self.rule_errors),
            "errors": self.rule_errors,
            "figures": None,
            "preview_url": workspace_reverse(self.workspace, "journeys:conditions_preview"),
            "tree": self.tree,
            "step_types": step_types,
            "next_number": self.next_number,
            "top_errors": self.errors,
            "focus": self.focus,
        }


def _edge_label(edge: str) -> str:
    return {"yes": _("Yes"), "no": _("No"), "next": _("Next")}.get(edge, edge)


def _builder(request, journey=None):
    action = request.POST.get("action", "")[:100] if request.method == "POST" else ""
    if request.method != "POST":
        draft = _Draft(request, journey).from_journey()
        return render(request, "journeys/builder.html", draft.context())
    draft = _Draft(request, journey).from_post(action)
    if action not in SAVE_ACTIONS:  # a change of shape: the page again, nothing stored
        return render(request, "journeys/builder.html", draft.context())
    publishing = action == "publish"
    if draft.check(publishing=publishing):
        saved = draft.save(request.user)
        if saved is not None:
            if publishing and saved.status != JourneyStatus.LIVE:
                try:
                    saved = journey_publish(
                        workspace=request.workspace, actor=request.user, journey=saved
                    )
                except ValidationError as exc:
                    messages.error(request, " ".join(exc.messages))
                    return redirect(_builder_url(request, saved))
                messages.success(request, _("Published “%(name)s”.") % {"name": saved.name})
            elif journey and journey.status == JourneyStatus.LIVE:
                messages.success(
                    request,
                    _("Saved a new version of “%(name)s”; contacts already on it stay on theirs.")
                    % {"name": saved.name},
                )
            else:
                messages.success(request, _("Saved “%(name)s”.") % {"name": saved.name})
            return redirect(workspace_reverse(request.workspace, "journeys:detail", pk=saved.pk))
    messages.error(request, _("The journey was not saved: correct what is marked below."))
    return render(request, "journeys/builder.html", draft.context(), status=400)


def _builder_url(request, journey):
    return workspace_reverse(request.workspace, "journeys:edit", pk=journey.pk)


@workspace_view("journeys.edit")
def journey_create_view(request):
    """The builder for a new journey."""
    return _builder(request)


@workspace_view("journeys.edit")
def journey_edit_view(request, pk):
    """The builder for a journey (a live one gets a new version when saved)."""
    return _builder(request, journey_or_404(request, pk))
