"""The journey pages: the list (status, trigger, active enrolments, a flag when something it
points at is gone), "New journey" (blank or from a built-in template), a journey's page (its
steps with the contacts at each, enrolments by status, entries per day, recent and failed
enrolments) and its actions (publish, pause, resume). Thin: parse, call, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from workspaces.charts import chart_config
from workspaces.mixins import workspace_view
from workspaces.roles import has_perm
from workspaces.urlnames import workspace_reverse

from ..forms.builder import NewJourneyForm
from ..forms.flow import tree_from_steps, walk
from ..journey_templates import journey_templates
from ..models import EnrolmentStatus, JourneyStatus, JourneyStep
from ..selectors import enrolment_list, journey_list, journey_status_counts, journey_step_counts
from ..selectors.pages import entries_per_day
from ..services import journey_from_template, journey_pause, journey_publish, journey_resume
from . import kinds
from .builder import journey_or_404

RECENT = 20  # enrolments listed on a journey's page (newest first), and failed ones
PANEL_ROWS = 10  # enrolments on a contact's panel

try:
    from ..builtin import TEMPLATES as BUILTIN_TEMPLATES
except ImportError:  # pragma: no cover - the step types part brings the templates
    BUILTIN_TEMPLATES = {}


def _template_choices() -> list[tuple[str, str]]:
    """[(template key, "label: description")] of the built-in journeys (registered with
    journeys.journey_templates by journeys/builtin.py)."""
    return [
        (t.key, f"{t.label}: {t.description}" if t.description else str(t.label))
        for t in journey_templates()
    ]


@require_safe
@workspace_view("journeys.view")
def journey_list_view(request):
    """Every journey with its status, trigger, active enrolments and flag. Two queries
    whatever the number of journeys (the member's and the list)."""
    triggers = {t.key: t for t in kinds.all_triggers()}
    journeys = list(journey_list(workspace=request.workspace))
    for journey in journeys:
        found = triggers.get(journey.trigger)
        journey.trigger_label = found.describe(journey.trigger_params) if found else journey.trigger
    return render(
        request,
        "journeys/list.html",
        {"title": _("Journeys"), "journeys": journeys},
    )


@workspace_view("journeys.edit")
def journey_new_view(request):
    """ "New journey": a blank one opens the builder; a built-in template is copied into a
    draft (journey_from_template) whose builder opens next."""
    form = NewJourneyForm(
        request.POST or None, workspace=request.workspace, templates=_template_choices()
    )
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["template"]
        if not key:
            return redirect(workspace_reverse(request.workspace, "journeys:create"))
        try:
            journey = journey_from_template(
                workspace=request.workspace, actor=request.user, template_key=key
            )
        except (ValidationError, LookupError) as exc:
            form.add_error("template", getattr(exc, "messages", None) or str(exc))
        else:
            messages.success(
                request,
                _("Created “%(name)s” from the template: adjust it and publish it.")
                % {"name": journey.name},
            )
            return redirect(workspace_reverse(request.workspace, "journeys:edit", pk=journey.pk))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "journeys/new.html",
        {"title": _("New journey"), "form": form},
        status=status,
    )


def _flow(journey):
    """The current version's steps as the builder's tree, each node with its label, summary
    and the contacts at it now."""
    version = journey.current_version
    if version is None:
        return []
    rows = list(
        JourneyStep.objects.filter(workspace=journey.workspace, version=version)
        .order_by("position", "id")
        .values("key", "kind", "params", "next_key", "branches")
    )
    tree = tree_from_steps(rows, first_key=version.first_step_key, edges_of=kinds.edges_of)
    counts = journey_step_counts(journey=journey)
    for node in walk(tree):
        found = kinds.step_type(node["kind"])
        node["label"] = found.label if found else node["kind"]
        node["summary"] = found.summary(node["params"]) if found and found.summary else ""
        node["count"] = counts.get(node["key"], 0)
        if "paths" in node:
            node["path_list"] = [
                (edge, {"yes": _("Yes"), "no": _("No")}.get(edge, edge), nodes)
                for edge, nodes in node["paths"].items()
            ]
    return tree


@require_safe
@workspace_view("journeys.view")
def journey_detail(request, pk):
    """A journey: its flag, its steps with the contacts at each, enrolments by status, entries
    per day (chart), the newest enrolments and the failed ones with their reasons."""
    journey = journey_or_404(request, pk)
    days = entries_per_day(journey=journey)
    chart = chart_config(
        "bar",
        [formats.date_format(day, "SHORT_DATE_FORMAT") for day, _n in days],
        [{"label": _("Entries"), "data": [n for _day, n in days]}],
    )
    trigger = kinds.trigger(journey.trigger)
    totals = journey_status_counts(journey=journey)
    return render(
        request,
        "journeys/detail.html",
        {
            "title": journey.name,
            "journey": journey,
            "trigger_label": (
                trigger.describe(journey.trigger_params) if trigger else journey.trigger
            ),
            "flow": _flow(journey),
            "totals": [
                (value, label, totals.get(value, 0)) for value, label in EnrolmentStatus.choices
            ],
            "chart": chart,
            "recent": enrolment_list(workspace=request.workspace, journey=journey, limit=RECENT),
            "failed": enrolment_list(
                workspace=request.workspace,
                journey=journey,
                status=EnrolmentStatus.FAILED,
                limit=RECENT,
            ),
            "can_edit": has_perm(request.membership.role, "journeys.edit"),
            "is_live": journey.status == JourneyStatus.LIVE,
        },
    )


def _status_action(service, done_message):
    @workspace_view("journeys.view", "journeys.edit")
    def view(request, pk):
        journey = journey_or_404(request, pk)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            journey = service(workspace=request.workspace, actor=request.user, journey=journey)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, done_message() % {"name": journey.name})
        return redirect(workspace_reverse(request.workspace, "journeys:detail", pk=journey.pk))

    view.__doc__ = f"POST: {service.__name__} on the journey, back to its page."
    return view


journey_publish_view = _status_action(journey_publish, lambda: _("Published “%(name)s”."))
journey_pause_view = _status_action(
    journey_pause, lambda: _("Paused “%(name)s”: no one moves on until you resume it.")
)
journey_resume_view = _status_action(journey_resume, lambda: _("Resumed “%(name)s”."))


def contact_journeys_panel(workspace, user, contact) -> dict:
    """Context of the contact page's panel "Journeys": the contact's newest enrolments."""
    return {"enrolments": enrolment_list(workspace=workspace, contact=contact, limit=PANEL_ROWS)}
