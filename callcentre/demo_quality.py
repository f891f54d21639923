"""Demo data of quality management (seed_demo, order 95, after service and the calls;
idempotent: nothing is added when the workspace has scorecards already).

One scorecard ("Service quality": greeting, identification as a critical yes / no, solution,
tone, wrap-up that may be not applicable) and evaluations of the demo's assigned cases and of
up to six ended calls, spread over the last weeks so the agent chart has a line; one case is
evaluated by two leads with a disagreement, so the calibration view shows a flag."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from service.models import Case
from workspaces.roles import Role

from .models import Call, CallStatus, Criterion, Scale, Scorecard
from .services import quality as services

CRITERIA = (
    (_("Greeting"), _("Name, company, offer to help."), 1, Scale.POINTS, 5, False, False),
    (
        _("Identification"),
        _("Customer identified before any detail."),
        1,
        Scale.YES_NO,
        1,
        False,
        True,
    ),
    (_("Solution"), _("Right answer, first time."), 3, Scale.POINTS, 5, False, False),
    (_("Tone"), _("Friendly, calm, no jargon."), 2, Scale.POINTS, 5, False, False),
    (_("Wrap-up"), _("Summary and next steps."), 1, Scale.POINTS, 5, True, False),
)
# scores per evaluation, in the order of CRITERIA (None: not applicable)
PATTERNS = (
    (5, 1, 4, 5, 4),
    (3, 1, 3, 4, None),
    (4, 1, 5, 4, 5),
    (2, 0, 4, 3, 3),  # identification missed: critical fail
    (5, 1, 2, 3, 2),
    (4, 1, 4, 5, None),
)


def _scores(criteria, pattern) -> dict:
    return {c.pk: {"value": v, "comment": ""} for c, v in zip(criteria, pattern, strict=True)}


def seed(workspace, users, stdout) -> None:
    """Add the quality demo to `workspace` once (see the module docstring)."""
    if Scorecard.objects.filter(workspace=workspace).exists():
        return
    lead = users.get(Role.OWNER) or users.get(Role.MANAGER)
    second = users.get(Role.MANAGER) or users.get(Role.ADMIN)
    if lead is None:
        return
    card = services.scorecard_create(
        workspace=workspace,
        actor=lead,
        name=_("Service quality"),
        description=_("For calls and cases alike."),
    )
    for name, description, weight, scale, top, na, critical in CRITERIA:
        services.criterion_add(
            workspace=workspace,
            actor=lead,
            scorecard=card,
            name=name,
            description=description,
            weight=weight,
            scale=scale,
            max_points=top,
            allow_na=na,
            critical=critical,
        )
    criteria = list(Criterion.objects.filter(workspace=workspace, scorecard=card))
    now = timezone.now()
    cases = list(
        Case.objects.filter(workspace=workspace, assignee__isnull=False).order_by("created_at")[:8]
    )
    calls = list(
        Call.objects.filter(
            workspace=workspace, status=CallStatus.ENDED, agent__isnull=False
        ).order_by("offered_at")[:6]
    )
    targets = [{"case": c} for c in cases] + [{"call": c} for c in calls]
    for index, target in enumerate(targets):
        services.evaluation_create(
            workspace=workspace,
            actor=lead,
            scorecard=card,
            scores=_scores(criteria, PATTERNS[index % len(PATTERNS)]),
            comment=_("Good call overall; see the notes per criterion."),
            evaluated_at=now - datetime.timedelta(days=3 * (len(targets) - index)),
            **target,
        )
    if second is not None and second != lead and targets:
        services.evaluation_create(
            workspace=workspace,
            actor=second,
            scorecard=card,
            scores=_scores(criteria, (3, 0, 4, 5, 4)),
            comment=_("I would not count the identification."),
            **targets[0],
        )
    stdout.write(f"  quality: 1 scorecard, {len(targets)} evaluated interactions\n")
