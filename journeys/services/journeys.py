"""Writing journeys: create, update (a new version when live), publish, pause, resume,
archive, flag, and create from a built-in template.

A journey's steps are given as a list of dicts, the first being where contacts start:

    {"key": "s1", "kind": "wait", "params": {...}, "next_key": "s2", "branches": {}}

Keys are stable across versions (an enrolment never runs a key it has run; reuse a key for
"the same step, edited", give a new one for a new step: `step_key_next`). Steps form a graph
without cycles; every target key exists; every branch edge is one of the step type's edges.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.segment_rules import RulesInvalid, rules_clean
from workspaces.changelog import ChangeAction, change_record

from ..journey_templates import journey_template_get
from ..models import (
    Enrolment,
    EnrolmentStatus,
    Journey,
    JourneyStatus,
    JourneyStep,
    JourneyVersion,
    Reentry,
)
from ..steps.registry import step_type_get
from ..triggers import trigger_type_get

KEY_MAX = 16
STEPS_MAX = 100


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _goal_parts(goal) -> tuple[str, dict]:
    """`goal` as given: "", None, a key, or {"key": ..., "params": {...}}."""
    if not goal:
        return "", {}
    if isinstance(goal, str):
        return goal, {}
    return goal.get("key") or "", dict(goal.get("params") or {})


def _reentry_parts(reentry) -> tuple[str, int | None]:
    """`reentry` as given: a policy key, or {"policy": ..., "days": N}."""
    if not reentry:
        return Reentry.NEVER, None
    if isinstance(reentry, str):
        return reentry, None
    return reentry.get("policy") or Reentry.NEVER, reentry.get("days")


def _params_checked(form_class, params, workspace, field: str, errors: dict) -> dict:
    if form_class is None:
        return dict(params or {})
    form = form_class(data=params or {}, workspace=workspace)
    if not form.is_valid():
        errors[field] = [f"{name}: {' '.join(msgs)}" for name, msgs in form.errors.items()]
        return {}
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}


def _trigger_checked(workspace, trigger, trigger_params, errors) -> dict:
    try:
        trigger_type = trigger_type_get(trigger)
    except LookupError:
        errors["trigger"] = [_("Choose a trigger.")]
        return {}
    return _params_checked(
        trigger_type.params_form, trigger_params, workspace, "trigger_params", errors
    )


def _goal_checked(workspace, goal, errors) -> tuple[str, dict]:
    key, params = _goal_parts(goal)
    if not key:
        return "", {}
    try:
        goal_type = trigger_type_get(key)
    except LookupError:
        goal_type = None
    if goal_type is None or not goal_type.goal:
        errors["goal"] = [_("This cannot be a goal.")]
        return "", {}
    return key, _params_checked(goal_type.params_form, params, workspace, "goal", errors)


def _conditions_checked(workspace, conditions, errors) -> dict:
    if not conditions:
        return {}
    try:
        return rules_clean(workspace, conditions)
    except RulesInvalid as exc:
        errors["conditions"] = [str(exc)]
        return {}


def _has_cycle(graph: dict[str, list[str]]) -> bool:
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(key: str) -> bool:
        state[key] = 1
        for target in graph.get(key, []):
            if state.get(target) == 1 or (target not in state and visit(target)):
                return True
        state[key] = 2
        return False

    return any(key not in state and visit(key) for key in graph)


def steps_check(*, workspace, steps: list[dict]) -> list[dict]:
    """`steps` checked and normalised (params through each step type's params_form); raises
    ValidationError {"steps": [messages]} naming the step at fault."""
    problems: list[str] = []
    if not steps:
        raise ValidationError({"steps": [_("A journey needs at least one step.")]})
    if len(steps) > STEPS_MAX:
        raise ValidationError(
            {"steps": [_("A journey has at most %(n)s steps.") % {"n": STEPS_MAX}]}
        )
    keys = [str(step.get("key") or "") for step in steps]
    if len(set(keys)) != len(keys):
        problems.append(_("Two steps have the same key."))
    out = []
    for step in steps:
        key = str(step.get("key") or "")
        if not key or len(key) > KEY_MAX:
            problems.append(_("Step key %(key)r must have 1 to 16 characters.") % {"key": key})
            continue
        try:
            step_type = step_type_get(step.get("kind") or "")
        except LookupError:
            problems.append(_("Step %(key)s: unknown kind.") % {"key": key})
            continue
        branches = dict(step.get("branches") or {})
        next_key = step.get("next_key") or ""
        for edge in branches:
            if edge == "next" or edge not in step_type.edges:
                problems.append(
                    _("Step %(key)s has no edge %(edge)s.") % {"key": key, "edge": edge}
                )
        for target in [next_key, *branches.values()]:
            if target and target not in keys:
                problems.append(
                    _("Step %(key)s leads to %(target)s, which is not a step.")
                    % {"key": key, "target": target}
                )
        errors: dict = {}
        params = _params_checked(step_type.params_form, step.get("params"), workspace, key, errors)
        problems += [f"{key}: {msg}" for msg in errors.get(key, [])]
        out.append(
            {
                "key": key,
                "kind": step_type.key,
                "params": params,
                "next_key": next_key,
                "branches": branches,
            }
        )
    graph = {s["key"]: [t for t in [s["next_key"], *s["branches"].values()] if t] for s in out}
    if not problems and _has_cycle(graph):
        problems.append(_("The steps go round in a circle; a journey only moves forward."))
    if problems:
        raise ValidationError({"steps": problems})
    return out


def _version_create(*, workspace, actor, journey: Journey, steps: list[dict]) -> JourneyVersion:
    last = journey.versions.aggregate(n=Max("number"))["n"] or 0
    version = JourneyVersion(
        workspace=workspace,
        journey=journey,
        number=last + 1,
        first_step_key=steps[0]["key"],
        created_by=_actor(actor),
    )
    version.full_clean()
    version.save()
    _steps_write(workspace, version, steps)
    return version


def _steps_write(workspace, version, steps) -> None:
    JourneyStep.objects.bulk_create(
        [
            JourneyStep(workspace=workspace, version=version, position=i, **step)
            for i, step in enumerate(steps)
        ]
    )


def _fields_checked(*, workspace, name, trigger, trigger_params, conditions, goal, reentry):
    errors: dict = {}
    values = {
        "trigger_params": _trigger_checked(workspace, trigger, trigger_params, errors),
        "conditions": _conditions_checked(workspace, conditions, errors),
    }
    values["goal"], values["goal_params"] = _goal_checked(workspace, goal, errors)
    values["reentry"], values["reentry_days"] = _reentry_parts(reentry)
    if values["reentry"] == Reentry.AFTER_DAYS and not values["reentry_days"]:
        errors["reentry"] = [_("Say after how many days a contact may enter again.")]
    if not (name or "").strip():
        errors["name"] = [_("Give the journey a name.")]
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def journey_create(
    *,
    workspace,
    actor,
    name: str,
    trigger: str,
    trigger_params: dict | None = None,
    conditions: dict | None = None,
    goal=None,
    reentry=None,
    steps: list[dict],
    description: str = "",
    template_key: str = "",
) -> Journey:
    """A new draft journey with version 1 of `steps`. `goal`: "", a trigger key that may be a
    goal, or {"key", "params"}; `reentry`: a Reentry value or {"policy", "days"}. Raises
    ValidationError (field → messages) for bad input; records a change event."""
    values = _fields_checked(
        workspace=workspace,
        name=name,
        trigger=trigger,
        trigger_params=trigger_params,
        conditions=conditions,
        goal=goal,
        reentry=reentry,
    )
    steps = steps_check(workspace=workspace, steps=steps)
    if Journey.objects.filter(workspace=workspace, name=name.strip()).exists():
        raise ValidationError({"name": [_("A journey with this name exists already.")]})
    journey = Journey(
        workspace=workspace,
        name=name.strip(),
        description=description,
        trigger=trigger,
        template_key=template_key,
        created_by=_actor(actor),
        **values,
    )
    journey.full_clean(exclude=["current_version"])
    journey.save()
    journey.current_version = _version_create(
        workspace=workspace, actor=actor, journey=journey, steps=steps
    )
    journey.save(update_fields=["current_version", "updated_at"])
    change_record(
        workspace=workspace,
        actor=actor,
        instance=journey,
        action=ChangeAction.CREATED,
        fields=["name", "trigger", "steps"],
    )
    return journey


@transaction.atomic
def journey_update(
    *,
    workspace,
    actor,
    journey: Journey,
    name: str,
    trigger: str,
    trigger_params: dict | None = None,
    conditions: dict | None = None,
    goal=None,
    reentry=None,
    steps: list[dict],
    description: str = "",
) -> Journey:
    """Change a journey. A journey that has enrolled anyone on its current version (or is
    live or paused) gets a new version of its steps: enrolments stay on theirs. A draft
    nobody entered is edited in place. Clears `flagged_reason` (the edit may have fixed it);
    the next check sets it again if not. Raises ValidationError."""
    journey = Journey.objects.select_for_update().get(workspace=workspace, pk=journey.pk)
    values = _fields_checked(
        workspace=workspace,
        name=name,
        trigger=trigger,
        trigger_params=trigger_params,
        conditions=conditions,
        goal=goal,
        reentry=reentry,
    )
    steps = steps_check(workspace=workspace, steps=steps)
    if (
        Journey.objects.filter(workspace=workspace, name=name.strip())
        .exclude(pk=journey.pk)
        .exists()
    ):
        raise ValidationError({"name": [_("A journey with this name exists already.")]})
    version = journey.current_version
    in_use = Enrolment.objects.filter(workspace=workspace, version=version).exists()
    if journey.status == JourneyStatus.DRAFT and not in_use and version is not None:
        version.steps.all().delete()
        version.first_step_key = steps[0]["key"]
        version.save(update_fields=["first_step_key", "updated_at"])
        _steps_write(workspace, version, steps)
    else:
        journey.current_version = _version_create(
            workspace=workspace, actor=actor, journey=journey, steps=steps
        )
    for field, value in values.items():
        setattr(journey, field, value)
    journey.name, journey.trigger, journey.description = name.strip(), trigger, description
    journey.flagged_reason, journey.flagged_at = "", None
    journey.full_clean()
    journey.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=journey,
        action=ChangeAction.UPDATED,
        fields=["name", "trigger", "steps"],
        data={"version": journey.current_version.number},
    )
    return journey


def step_key_next(*, journey: Journey) -> str:
    """A step key not used by any version of `journey` ("s<n>")."""
    used = set(JourneyStep.objects.filter(version__journey=journey).values_list("key", flat=True))
    n = len(used) + 1
    while f"s{n}" in used:
        n += 1
    return f"s{n}"


def _status_set(*, workspace, actor, journey, allowed_from, to, extra=None) -> Journey:
    journey = Journey.objects.select_for_update().get(workspace=workspace, pk=journey.pk)
    if journey.status not in allowed_from:
        raise ValidationError(
            _("A journey that is %(status)s cannot be %(to)s.")
            % {"status": journey.get_status_display(), "to": JourneyStatus(to).label}
        )
    journey.status = to
    for field, value in (extra or {}).items():
        setattr(journey, field, value)
    journey.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=journey,
        action=ChangeAction.UPDATED,
        fields=["status", *(extra or {})],
    )
    return journey


@transaction.atomic
def journey_publish(*, workspace, actor, journey: Journey) -> Journey:
    """Draft → live: the trigger starts enrolling (events from now on; a segment trigger
    counts contacts who join from now on). Raises ValidationError for a journey that is not
    a draft or has a problem (flagged_reason)."""
    from .cursors import cursors_ensure
    from .maintenance import journey_problems

    cursors_ensure(workspace=workspace)
    problems = journey_problems(workspace=workspace, journey=journey)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    return _status_set(
        workspace=workspace,
        actor=actor,
        journey=journey,
        allowed_from=(JourneyStatus.DRAFT,),
        to=JourneyStatus.LIVE,
        extra={"published_at": now, "scanned_at": now, "flagged_reason": "", "flagged_at": None},
    )


@transaction.atomic
def journey_pause(*, workspace, actor, journey: Journey) -> Journey:
    """Live → paused: no contact enters and no enrolment advances until it is resumed
    (what fell due meanwhile runs on resume)."""
    return _status_set(
        workspace=workspace,
        actor=actor,
        journey=journey,
        allowed_from=(JourneyStatus.LIVE,),
        to=JourneyStatus.PAUSED,
    )


@transaction.atomic
def journey_resume(*, workspace, actor, journey: Journey) -> Journey:
    """Paused → live; clears the flag (a loop or broken reference the user has seen; the
    periodic check sets a broken reference again). Events that arrived during the pause do
    not enrol (the trigger cursor moved on); scans count from the resume."""
    return _status_set(
        workspace=workspace,
        actor=actor,
        journey=journey,
        allowed_from=(JourneyStatus.PAUSED,),
        to=JourneyStatus.LIVE,
        extra={"flagged_reason": "", "flagged_at": None, "scanned_at": timezone.now()},
    )


@transaction.atomic
def journey_archive(*, workspace, actor, journey: Journey) -> Journey:
    """Any status → archived; its active enrolments are stopped."""
    journey = _status_set(
        workspace=workspace,
        actor=actor,
        journey=journey,
        allowed_from=(JourneyStatus.DRAFT, JourneyStatus.LIVE, JourneyStatus.PAUSED),
        to=JourneyStatus.ARCHIVED,
    )
    Enrolment.objects.filter(
        workspace=workspace, journey=journey, status=EnrolmentStatus.ACTIVE
    ).update(
        status=EnrolmentStatus.STOPPED,
        ended_at=timezone.now(),
        next_run_at=None,
        updated_at=timezone.now(),
    )
    return journey


def journey_flag(*, workspace, journey: Journey, reason: str) -> None:
    """Set the journey's `flagged_reason` (shown on its page), unless it has that one
    already. A conditional UPDATE: callable from inside the engine's transactions."""
    Journey.objects.filter(workspace=workspace, pk=journey.pk).exclude(
        flagged_reason=reason
    ).update(flagged_reason=reason[:2000], flagged_at=timezone.now(), updated_at=timezone.now())


@transaction.atomic
def journey_from_template(*, workspace, actor, template_key: str) -> Journey:
    """A new draft journey from the built-in template `template_key` (LookupError when
    unknown); the name gets a number when taken."""
    template = journey_template_get(template_key)
    spec = dict(template.build(workspace))
    base = spec.pop("name", str(template.label))
    name, n = base, 2
    while Journey.objects.filter(workspace=workspace, name=name).exists():
        name, n = f"{base} ({n})", n + 1
    return journey_create(
        workspace=workspace, actor=actor, name=name, template_key=template_key, **spec
    )
