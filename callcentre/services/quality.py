"""Writes of quality management: scorecards and their criteria, and evaluations of a call or a
case. Every write runs in one transaction and records its change events; an evaluation copies
each criterion it scores, so editing or deleting a criterion later leaves it unchanged."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from workspaces.changelog import (
    ChangeAction,
    change_record,
    change_record_many,
    changed_fields,
    snapshot,
)
from workspaces.service_checks import (
    check_unknown,
    delete_recorded,
    full_clean_into,
    raise_if,
    same_workspace_check,
    same_workspace_require,
)

from ..models.quality import Criterion, Evaluation, EvaluationScore, Scale, Scorecard

SCORECARD_FIELDS = frozenset({"name", "description", "active"})
CRITERION_FIELDS = frozenset(
    {"name", "description", "weight", "scale", "max_points", "allow_na", "critical", "position"}
)
HUNDRED = Decimal(100)


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _create(workspace, actor, instance, fields) -> None:
    full_clean_into(instance, {})
    instance.save()
    change_record(
        workspace=workspace,
        actor=_actor(actor),
        instance=instance,
        action=ChangeAction.CREATED,
        fields=fields,
    )


def _update(workspace, actor, instance, before: dict) -> list[str]:
    full_clean_into(instance, {})
    fields = changed_fields(before, instance)
    if fields:
        instance.save()
        change_record(
            workspace=workspace,
            actor=_actor(actor),
            instance=instance,
            action=ChangeAction.UPDATED,
            fields=fields,
        )
    return fields


# --- the total ---------------------------------------------------------------------------------


def score_total(rows) -> tuple[Decimal | None, bool]:
    """The weighted total of scored criteria, as (percent, critical_failed).

    `rows`: objects with `weight`, `max_points`, `critical` and `value` (None = not
    applicable). percent = Σ(weight × value / max_points) / Σ(weight) × 100 over the
    applicable rows, rounded half up to 2 places; rows not applicable are left out of both
    sums. A critical row scored 0 ("no") fails the evaluation: (0, True). Every row not
    applicable: (None, False)."""
    earned = Decimal(0)
    possible = Decimal(0)
    for row in rows:
        if row.value is None:
            continue
        if row.critical and row.value == 0:
            return Decimal("0.00"), True
        weight = Decimal(row.weight)
        earned += weight * Decimal(row.value) / Decimal(row.max_points)
        possible += weight
    if not possible:
        return None, False
    return (earned / possible * HUNDRED).quantize(Decimal("0.01"), ROUND_HALF_UP), False


# --- scorecards --------------------------------------------------------------------------------


@transaction.atomic
def scorecard_create(*, workspace, actor, **fields) -> Scorecard:
    """A new scorecard (name unique in the workspace; ValidationError keyed by field)."""
    check_unknown(fields, SCORECARD_FIELDS)
    scorecard = Scorecard(workspace=workspace, **fields)
    _create(workspace, actor, scorecard, list(fields))
    return scorecard


@transaction.atomic
def scorecard_update(*, workspace, actor, scorecard: Scorecard, **fields) -> Scorecard:
    """Rename, describe, (de)activate a scorecard. Past evaluations keep the name they were
    made with."""
    same_workspace_require(workspace=workspace, obj=scorecard, field="scorecard")
    check_unknown(fields, SCORECARD_FIELDS)
    before = snapshot(scorecard)
    for key, value in fields.items():
        setattr(scorecard, key, value)
    _update(workspace, actor, scorecard, before)
    return scorecard


@transaction.atomic
def scorecard_delete(*, workspace, actor, scorecard: Scorecard) -> None:
    """Delete a scorecard nobody has used; one with evaluations is refused (ValidationError):
    deactivate it instead, so its evaluations stay."""
    same_workspace_require(workspace=workspace, obj=scorecard, field="scorecard")
    if Evaluation.objects.filter(workspace=workspace, scorecard=scorecard).exists():
        raise ValidationError(
            _("This scorecard has evaluations: deactivate it instead of deleting it.")
        )
    delete_recorded(workspace=workspace, actor=_actor(actor), instance=scorecard)


# --- criteria ----------------------------------------------------------------------------------


@transaction.atomic
def criterion_add(*, workspace, actor, scorecard: Scorecard, **fields) -> Criterion:
    """Add a criterion at the end of `scorecard` (unless `position` is given). A yes / no
    criterion gets max_points 1. Evaluations already made are unchanged."""
    same_workspace_require(workspace=workspace, obj=scorecard, field="scorecard")
    check_unknown(fields, CRITERION_FIELDS)
    if "position" not in fields:
        last = Criterion.objects.filter(workspace=workspace, scorecard=scorecard).aggregate(
            last=Max("position")
        )["last"]
        fields["position"] = 0 if last is None else last + 1
    criterion = Criterion(workspace=workspace, scorecard=scorecard, **fields)
    _create(workspace, actor, criterion, ["scorecard", *fields])
    return criterion


@transaction.atomic
def criterion_update(*, workspace, actor, criterion: Criterion, **fields) -> Criterion:
    """Change a criterion; evaluations already made keep their copy of it."""
    same_workspace_require(workspace=workspace, obj=criterion, field="criterion")
    check_unknown(fields, CRITERION_FIELDS)
    before = snapshot(criterion)
    for key, value in fields.items():
        setattr(criterion, key, value)
    _update(workspace, actor, criterion, before)
    return criterion


@transaction.atomic
def criterion_delete(*, workspace, actor, criterion: Criterion) -> None:
    """Remove a criterion from its scorecard; evaluations keep their copy of it (their link
    to it is cleared)."""
    same_workspace_require(workspace=workspace, obj=criterion, field="criterion")
    delete_recorded(workspace=workspace, actor=_actor(actor), instance=criterion)


# --- evaluations -------------------------------------------------------------------------------


def _check_value(criterion: Criterion, value, errors: dict) -> None:
    field = f"c_{criterion.pk}"
    if value is None:
        if not criterion.allow_na:
            errors[field] = [_("Give a score: this criterion is always applicable.")]
        return
    top = 1 if criterion.scale == Scale.YES_NO else criterion.max_points
    if not isinstance(value, int) or not 0 <= value <= top:
        errors[field] = [_("Give a score from 0 to %(top)s.") % {"top": top}]


def _evaluated_agent(call, case):
    return call.agent if call is not None else case.assignee


@transaction.atomic
def evaluation_create(
    *,
    workspace,
    actor,
    scorecard: Scorecard,
    call=None,
    case=None,
    scores: dict,
    comment: str = "",
    evaluated_at=None,
) -> Evaluation:
    """A lead's evaluation of one call or one case (exactly one) with an active `scorecard`.

    `scores`: {criterion id: {"value": int | None, "comment": str}} for every criterion of
    the scorecard; value 0..max_points (yes / no: 1 / 0), None = not applicable (only where
    the criterion allows it). The evaluated agent is the call's agent or the case's
    assignee; an interaction without one cannot be evaluated. One evaluation per evaluator
    and interaction (several evaluators of one interaction are a calibration). The total:
    `score_total`. Raises ValidationError keyed by field (`c_<criterion id>` for a score)."""
    errors: dict = {}
    same_workspace_check(workspace=workspace, obj=scorecard, field="scorecard", errors=errors)
    same_workspace_check(workspace=workspace, obj=call, field="call", errors=errors)
    same_workspace_check(workspace=workspace, obj=case, field="case", errors=errors)
    raise_if(errors)
    if (call is None) == (case is None):
        raise ValidationError(_("An evaluation is of one call or one case."))
    if not scorecard.active:
        raise ValidationError({"scorecard": _("This scorecard is no longer active.")})
    agent = _evaluated_agent(call, case)
    if agent is None:
        raise ValidationError(
            _("This call has no agent to evaluate.")
            if call is not None
            else _("This case has no assignee to evaluate.")
        )
    evaluator = _actor(actor)
    if evaluator is not None:
        twin = Evaluation.objects.filter(workspace=workspace, evaluator=evaluator)
        if twin.filter(call=call, case=case).exists():
            raise ValidationError(_("You have already evaluated this interaction."))
    criteria = list(Criterion.objects.filter(workspace=workspace, scorecard=scorecard))
    if not criteria:
        raise ValidationError({"scorecard": _("This scorecard has no criteria yet.")})
    rows = []
    for criterion in criteria:
        given = scores.get(criterion.pk, {})
        value = given.get("value")
        _check_value(criterion, value, errors)
        rows.append(
            EvaluationScore(
                workspace=workspace,
                criterion=criterion,
                position=criterion.position,
                name=criterion.name,
                description=criterion.description,
                weight=criterion.weight,
                scale=criterion.scale,
                max_points=1 if criterion.scale == Scale.YES_NO else criterion.max_points,
                critical=criterion.critical,
                value=value,
                comment=(given.get("comment") or "").strip(),
            )
        )
    raise_if(errors)
    # positions of the copies are unique even when two criteria shared one
    for index, row in enumerate(rows):
        row.position = index
    percent, failed = score_total(rows)
    evaluation = Evaluation(
        workspace=workspace,
        scorecard=scorecard,
        scorecard_name=scorecard.name,
        call=call,
        case=case,
        agent=agent,
        evaluator=evaluator,
        score_percent=percent,
        critical_failed=failed,
        comment=comment.strip(),
        evaluated_at=evaluated_at or timezone.now(),
    )
    _create(
        workspace,
        actor,
        evaluation,
        ["scorecard", "call" if call is not None else "case", "agent", "score_percent"],
    )
    for row in rows:
        row.evaluation = evaluation
    EvaluationScore.objects.bulk_create(rows)
    change_record_many(
        workspace=workspace,
        actor=evaluator,
        model=EvaluationScore,
        object_ids=[row.pk for row in rows],
        action=ChangeAction.CREATED,
        fields=["evaluation", "value"],
    )
    return evaluation


@transaction.atomic
def evaluation_delete(*, workspace, actor, evaluation: Evaluation) -> None:
    """Delete an evaluation with its scores (tombstones recorded)."""
    same_workspace_require(workspace=workspace, obj=evaluation, field="evaluation")
    delete_recorded(workspace=workspace, actor=_actor(actor), instance=evaluation)
