"""Quality management: scorecards with weighted criteria, and the evaluations that leads fill
for a call or a case. An evaluation keeps a copy of every criterion as it was scored
(EvaluationScore), so a scorecard edited later never changes a past evaluation."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


class Scale(models.TextChoices):
    POINTS = "points", _("Points (0 to maximum)")
    YES_NO = "yes_no", _("Yes / no")


MAX_POINTS_LIMIT = 10


class Scorecard(WorkspaceOwned):
    """A workspace's form for evaluating one interaction: its criteria, weighted."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active scorecards can be filled.")
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="scorecard_unique_name"),
        ]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")

    def __str__(self):
        return self.name


class Criterion(WorkspaceOwned):
    """One line of a scorecard. `weight` is its share of the total; a `critical` criterion
    scored 0 (or "no") fails the whole evaluation (total 0 %); `allow_na` lets the evaluator
    mark it "not applicable", which leaves it out of the total."""

    scorecard = models.ForeignKey(
        Scorecard, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("scorecard")
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    scale = models.CharField(_("scale"), max_length=8, choices=Scale.choices, default=Scale.POINTS)
    max_points = models.PositiveSmallIntegerField(
        _("maximum points"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_POINTS_LIMIT)],
        help_text=_("For a points scale: the best score (0 is the worst). Yes / no: ignored."),
    )
    allow_na = models.BooleanField(_("may be not applicable"), default=False)
    critical = models.BooleanField(
        _("critical"), default=False, help_text=_("Scored 0 or “no”: the evaluation fails (0 %).")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "scorecard", "name"], name="criterion_unique_name"
            ),
        ]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self):
        return self.name

    def clean(self):
        if self.scale == Scale.YES_NO:
            self.max_points = 1


class Evaluation(WorkspaceOwned):
    """A lead's evaluation of one interaction (a call or a case) with a scorecard. `agent` is
    the evaluated agent (the call's agent, the case's assignee) at the time of evaluation;
    `score_percent` the weighted total (None when every criterion was not applicable)."""

    scorecard = models.ForeignKey(
        Scorecard, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("scorecard")
    )
    scorecard_name = models.CharField(_("scorecard name"), max_length=120)
    call = models.ForeignKey(
        "callcentre.Call",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evaluations",
        verbose_name=_("call"),
    )
    case = models.ForeignKey(
        "service.Case",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case"),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("agent"),
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("evaluator"),
    )
    score_percent = models.DecimalField(
        _("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    critical_failed = models.BooleanField(_("critical criterion failed"), default=False)
    comment = models.TextField(_("comment"), blank=True)
    evaluated_at = models.DateTimeField(_("evaluated"), default=timezone.now)

    class Meta:
        ordering = ["-evaluated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(call__isnull=False, case__isnull=True)
                | Q(call__isnull=True, case__isnull=False),
                name="evaluation_call_or_case",
            ),
            models.UniqueConstraint(
                fields=["workspace", "call", "evaluator"],
                condition=Q(call__isnull=False),
                name="evaluation_unique_call_evaluator",
            ),
            models.UniqueConstraint(
                fields=["workspace", "case", "evaluator"],
                condition=Q(case__isnull=False),
                name="evaluation_unique_case_evaluator",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "-evaluated_at"], name="evaluation_ws_time"),
            models.Index(
                fields=["workspace", "agent", "-evaluated_at"], name="evaluation_ws_agent"
            ),
            models.Index(fields=["workspace", "call"], name="evaluation_ws_call"),
            models.Index(fields=["workspace", "case"], name="evaluation_ws_case"),
            models.Index(fields=["workspace", "scorecard"], name="evaluation_ws_scorecard"),
        ]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self):
        return f"{self.scorecard_name} ({self.score_percent} %)"

    def clean(self):
        if (self.call_id is None) == (self.case_id is None):
            raise ValidationError(_("An evaluation is of one call or one case."))


class EvaluationScore(WorkspaceOwned):
    """The score of one criterion in an evaluation, with a copy of the criterion as it was
    (name, weight, scale, maximum, critical). `value` None means "not applicable"; yes / no
    is stored as 1 / 0 with `max_points` 1."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="scores", verbose_name=_("evaluation")
    )
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("criterion"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"))
    scale = models.CharField(_("scale"), max_length=8, choices=Scale.choices)
    max_points = models.PositiveSmallIntegerField(_("maximum points"))
    critical = models.BooleanField(_("critical"), default=False)
    value = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "evaluation", "position"], name="evalscore_unique_position"
            ),
        ]
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")

    def __str__(self):
        return f"{self.name}: {'n/a' if self.value is None else self.value}"

    @property
    def not_applicable(self) -> bool:
        return self.value is None

    @property
    def failed_critical(self) -> bool:
        return self.critical and self.value == 0
