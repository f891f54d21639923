"""Quality management pages: scorecards (leads), evaluating a call or a case (leads), the
calibration of one interaction (leads), an agent's scores over time and one evaluation (the
agent for their own, leads for everyone's). Which evaluations a member sees is decided once,
in `selectors.quality.evaluation_visible`."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from service.models import Case
from workspaces.charts import chart_config
from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.selectors import member_list
from workspaces.urlnames import workspace_reverse

from ..forms.quality import (
    CalibrationForm,
    CriterionForm,
    EvaluationFilterForm,
    EvaluationForm,
    ScorecardChoiceForm,
    ScorecardForm,
    weeks_back,
)
from ..models.calls import Call
from ..models.quality import Criterion, Scorecard
from ..selectors import quality as selectors
from ..services import quality as services

MANAGE = "callcentre.manage"
RECENT_CALLS = 15


def _lead(request) -> bool:
    return selectors.is_lead(request.membership.role)


def _save(request, form, save, done) -> bool:
    """Validate `form`, run `save(cleaned_data)`; service errors land on the form."""
    if not form.is_valid():
        return False
    try:
        save(form.cleaned_data)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return False
    messages.success(request, done)
    return True


def _to(request, name, **kwargs):
    return redirect(workspace_reverse(request.workspace, name, **kwargs))


# --- overview ----------------------------------------------------------------------------------


@require_safe
@workspace_view("callcentre.view")
def quality(request):
    """Leads: every agent's average and count over the chosen weeks, the newest evaluations
    (filtered by agent and scorecard) and recent calls to evaluate. Anyone else: their own
    scores (the agent page)."""
    if not _lead(request):
        return _to(request, "callcentre:agent_quality", pk=request.user.pk)
    workspace = request.workspace
    form = EvaluationFilterForm(request.GET or None, workspace=workspace)
    chosen = form.values()
    first = weeks_back(chosen["weeks"])
    start, end = selectors.week_bounds(workspace, first, chosen["weeks"])
    names = {u.pk: u for u in member_list(workspace=workspace)}
    summary = selectors.agent_summary(workspace=workspace, start=start, end=end)
    for row in summary:
        row["agent"] = names.get(row["agent_id"])
    evaluations = selectors.evaluation_list(
        workspace=workspace,
        user=request.user,
        role=request.membership.role,
        agent_id=chosen["agent"].pk if chosen["agent"] else None,
        scorecard_id=chosen["scorecard"].pk if chosen["scorecard"] else None,
        start=start,
        end=end,
    )
    return render(
        request,
        "callcentre/quality/overview.html",
        {
            "title": _("Quality"),
            "form": form,
            "summary": summary,
            "evaluations": evaluations,
            "calls": selectors.calls_to_evaluate(workspace=workspace, limit=RECENT_CALLS),
            "start": start,
            "end": end,
        },
    )


@require_safe
@workspace_view("callcentre.view")
def agent_quality(request, pk: int):
    """One agent's weekly average (chart and table) and their evaluations. An agent may open
    only their own page (another's is a 404, as if it did not exist); leads open anyone's."""
    if not _lead(request) and pk != request.user.pk:
        raise Http404
    workspace = request.workspace
    agent = get_object_or_404(member_list(workspace=workspace), pk=pk)
    form = EvaluationFilterForm(request.GET or None, workspace=workspace)
    weeks = form.values()["weeks"]
    first = weeks_back(weeks)
    start, end = selectors.week_bounds(workspace, first, weeks)
    weekly = selectors.agent_weekly_scores(
        workspace=workspace, agent_id=agent.pk, first_week=first, weeks=weeks
    )
    chart = chart_config(
        "line",
        [formats.date_format(w["week"], "SHORT_DATE_FORMAT") for w in weekly],
        [
            {
                "label": _("Average score (%)"),
                "data": [w["average"] for w in weekly],
                "spanGaps": True,
                "fill": False,
            }
        ],
        fmt="percent",
    )
    evaluations = selectors.evaluation_list(
        workspace=workspace,
        user=request.user,
        role=request.membership.role,
        agent_id=agent.pk,
        start=start,
        end=end,
    )
    return render(
        request,
        "callcentre/quality/agent.html",
        {
            "title": _("Quality of %(agent)s") % {"agent": agent.get_full_name() or agent.email},
            "agent": agent,
            "form": form,
            "weekly": weekly,
            "chart": chart,
            "evaluations": evaluations,
            "is_lead": _lead(request),
            "own": agent.pk == request.user.pk,
        },
    )


@require_safe
@workspace_view("callcentre.view")
def evaluation_detail(request, pk: int):
    """One evaluation with every criterion's score and note: the evaluated agent's own, or
    any for a lead (else 404)."""
    workspace = request.workspace
    evaluation = get_object_or_404(
        selectors.evaluation_visible(
            workspace=workspace, user=request.user, role=request.membership.role
        ).select_related("agent", "evaluator", "call", "case"),
        pk=pk,
    )
    return render(
        request,
        "callcentre/quality/evaluation.html",
        {
            "title": _("Evaluation"),
            "evaluation": evaluation,
            "scores": selectors.evaluation_scores(workspace=workspace, evaluation=evaluation),
            "is_lead": _lead(request),
        },
    )


@workspace_view(MANAGE)
def evaluation_delete(request, pk: int):
    """Delete an evaluation (POST, leads); back to its interaction."""
    evaluation = get_object_or_404(
        selectors.evaluation_visible(
            workspace=request.workspace, user=request.user, role=request.membership.role
        ),
        pk=pk,
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.evaluation_delete(
        workspace=request.workspace, actor=request.user, evaluation=evaluation
    )
    messages.success(request, _("Evaluation deleted."))
    if evaluation.call_id:
        return _to(request, "callcentre:call_quality", pk=evaluation.call_id)
    return _to(request, "callcentre:case_quality", pk=evaluation.case_id)


# --- one interaction: evaluations side by side, and a new evaluation ---------------------------


def _interaction(request, *, call=None, case=None):
    workspace = request.workspace
    evaluations = selectors.interaction_evaluations(workspace=workspace, call=call, case=case)
    threshold_form = CalibrationForm(request.GET or None)
    return render(
        request,
        "callcentre/quality/interaction.html",
        {
            "title": _("Quality of a call") if call is not None else _("Quality of a case"),
            "call": call,
            "case": case,
            "evaluations": evaluations,
            "calibration": selectors.calibration(
                evaluations, threshold=threshold_form.threshold_value()
            ),
            "threshold_form": threshold_form,
            "choice_form": ScorecardChoiceForm(workspace=workspace),
            "evaluate_url": workspace_reverse(
                workspace,
                "callcentre:evaluate_call" if call is not None else "callcentre:evaluate_case",
                pk=(call or case).pk,
            ),
            "evaluated": any(e.evaluator_id == request.user.pk for e in evaluations),
        },
    )


def _call(request, pk):
    return get_object_or_404(Call.objects.select_related("agent", "queue"), pk=pk)


def _case(request, pk):
    return get_object_or_404(Case.objects.select_related("assignee", "contact"), pk=pk)


@require_safe
@workspace_view(MANAGE)
def call_quality(request, pk: int):
    """The evaluations of one call side by side (calibration), and where to add one."""
    return _interaction(request, call=_call(request, pk))


@require_safe
@workspace_view(MANAGE)
def case_quality(request, pk: int):
    """The evaluations of one case side by side (calibration), and where to add one."""
    return _interaction(request, case=_case(request, pk))


def _evaluate(request, *, call=None, case=None):
    workspace = request.workspace
    choice = ScorecardChoiceForm(request.GET or None, workspace=workspace)
    back = (
        ("callcentre:call_quality", call.pk)
        if call is not None
        else ("callcentre:case_quality", case.pk)
    )
    if not choice.is_valid():
        if request.method == "POST":
            messages.error(request, _("Choose a scorecard."))
        return _to(request, back[0], pk=back[1])
    scorecard = choice.cleaned_data["scorecard"]
    criteria = selectors.criterion_list(workspace=workspace, scorecard=scorecard)
    form = EvaluationForm(request.POST or None, workspace=workspace, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = services.evaluation_create(
                workspace=workspace,
                actor=request.user,
                scorecard=scorecard,
                call=call,
                case=case,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("Evaluation saved: %(score)s %%.") % {"score": evaluation.score_percent}
            )
            return _to(request, back[0], pk=back[1])
    return render(
        request,
        "callcentre/quality/evaluate.html",
        {
            "title": _("Evaluate with %(scorecard)s") % {"scorecard": scorecard.name},
            "scorecard": scorecard,
            "form": form,
            "call": call,
            "case": case,
            "back_name": back[0],
            "back_pk": back[1],
        },
    )


@workspace_view(MANAGE)
def evaluate_call(request, pk: int):
    """Fill a scorecard (?scorecard=<id>) for a call; the call's agent is evaluated."""
    return _evaluate(request, call=_call(request, pk))


@workspace_view(MANAGE)
def evaluate_case(request, pk: int):
    """Fill a scorecard (?scorecard=<id>) for a case; the case's assignee is evaluated."""
    return _evaluate(request, case=_case(request, pk))


@require_safe
@workspace_view(MANAGE)
def case_by_number(request):
    """Open the quality page of the case with the number given (?number=)."""
    number = request.GET.get("number", "").strip().lstrip("#")
    case = (
        Case.objects.filter(workspace=request.workspace, number=number).first()
        if number.isdigit()
        else None
    )
    if case is None:
        messages.error(request, _("No case with that number."))
        return _to(request, "callcentre:quality")
    return _to(request, "callcentre:case_quality", pk=case.pk)


# --- scorecards --------------------------------------------------------------------------------


@workspace_view(MANAGE)
def scorecards(request):
    """The scorecards with their criteria and evaluation counts; a new one."""
    workspace = request.workspace
    form = ScorecardForm(request.POST or None, workspace=workspace)
    if request.method == "POST":
        created = {}

        def save(data):
            created["card"] = services.scorecard_create(
                workspace=workspace, actor=request.user, **data
            )

        if _save(request, form, save, _("Scorecard created: now add its criteria.")):
            return _to(request, "callcentre:scorecard_detail", pk=created["card"].pk)
    return render(
        request,
        "callcentre/quality/scorecards.html",
        {
            "title": _("Scorecards"),
            "scorecards": selectors.scorecard_list(workspace=workspace),
            "form": form,
        },
    )


@workspace_view(MANAGE)
def scorecard_detail(request, pk: int):
    """A scorecard: its name and state, its criteria and a new criterion. POST `action`:
    "update", "add" (a criterion) or "delete" (only when unused)."""
    workspace = request.workspace
    scorecard = get_object_or_404(Scorecard, workspace=workspace, pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    form = ScorecardForm(
        request.POST if action == "update" else None,
        instance=copy.copy(scorecard),
        workspace=workspace,
    )
    criterion_form = CriterionForm(request.POST if action == "add" else None, workspace=workspace)
    here = ("callcentre:scorecard_detail", {"pk": scorecard.pk})
    if action == "update":

        def save(data):
            services.scorecard_update(
                workspace=workspace, actor=request.user, scorecard=scorecard, **data
            )

        if _save(request, form, save, _("Scorecard saved.")):
            return _to(request, here[0], **here[1])
    elif action == "add":

        def save(data):
            services.criterion_add(
                workspace=workspace, actor=request.user, scorecard=scorecard, **data
            )

        if _save(request, criterion_form, save, _("Criterion added.")):
            return _to(request, here[0], **here[1])
    elif action == "delete":
        try:
            services.scorecard_delete(workspace=workspace, actor=request.user, scorecard=scorecard)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return _to(request, here[0], **here[1])
        messages.success(request, _("Scorecard deleted."))
        return _to(request, "callcentre:scorecards")
    return render(
        request,
        "callcentre/quality/scorecard_detail.html",
        {
            "title": scorecard.name,
            "scorecard": scorecard,
            "criteria": selectors.criterion_list(workspace=workspace, scorecard=scorecard),
            "form": form,
            "criterion_form": criterion_form,
        },
    )


@workspace_view(MANAGE)
def criterion_edit(request, pk: int):
    """Change or (POST action=delete) remove a criterion; evaluations keep their copy."""
    workspace = request.workspace
    criterion = get_object_or_404(
        Criterion.objects.select_related("scorecard"), workspace=workspace, pk=pk
    )
    back = ("callcentre:scorecard_detail", criterion.scorecard_id)
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.criterion_delete(workspace=workspace, actor=request.user, criterion=criterion)
        messages.success(request, _("Criterion removed."))
        return _to(request, back[0], pk=back[1])
    # the form works on a copy: the service compares the saved row with the new values
    form = CriterionForm(request.POST or None, instance=copy.copy(criterion), workspace=workspace)
    if request.method == "POST":

        def save(data):
            services.criterion_update(
                workspace=workspace, actor=request.user, criterion=criterion, **data
            )

        if _save(request, form, save, _("Criterion saved.")):
            return _to(request, back[0], pk=back[1])
    return render(
        request,
        "callcentre/quality/criterion_edit.html",
        {"title": criterion.name, "criterion": criterion, "form": form},
    )
