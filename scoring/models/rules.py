"""Scoring rules: what earns (or costs) a contact points, and how many."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from touchpoints.channels import Channel
from workspaces.models import WorkspaceOwned

POINTS_LIMIT = 1000  # one rule gives or takes at most this many points


class Category(models.TextChoices):
    FIT = "fit", _("Fit")
    ENGAGEMENT = "engagement", _("Engagement")


class RuleKind(models.TextChoices):
    FIELD = "field", _("Field rule (who the contact is)")
    EVENT = "event", _("Event rule (what the contact did)")


class CapPeriod(models.TextChoices):
    NONE = "", _("No cap")
    DAY = "day", _("per day")
    WEEK = "week", _("per week")
    MONTH = "month", _("per month")


class ScoringRule(WorkspaceOwned):
    """A field rule gives its points to every contact its segment rule tree
    (contacts.segment_rules) matches, once; an event rule gives them for every touch point of
    its kind and/or channel, at most `cap_points` per contact and `cap_period` (calendar day,
    ISO week or month in the workspace's time zone)."""

    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(
        _("category"), max_length=12, choices=Category.choices, default=Category.FIT
    )
    kind = models.CharField(_("kind"), max_length=8, choices=RuleKind.choices)
    conditions = models.JSONField(
        _("conditions"), default=dict, blank=True, help_text=_("A segment rule tree.")
    )
    event_kind = models.CharField(
        _("touch point kind"), max_length=64, blank=True, help_text=_("Empty: any kind.")
    )
    event_channel = models.CharField(
        _("channel"),
        max_length=20,
        choices=Channel.choices,
        blank=True,
        help_text=_("Empty: any channel."),
    )
    points = models.IntegerField(
        _("points"),
        validators=[MinValueValidator(-POINTS_LIMIT), MaxValueValidator(POINTS_LIMIT)],
        help_text=_("Negative points lower the score."),
    )
    cap_points = models.PositiveIntegerField(
        _("at most"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100 * POINTS_LIMIT)],
        help_text=_("Points this rule gives one contact per period."),
    )
    cap_period = models.CharField(
        _("per"), max_length=5, choices=CapPeriod.choices, default=CapPeriod.NONE, blank=True
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="scoringrule_unique_name")
        ]
        indexes = [
            models.Index(fields=["workspace", "kind", "active"], name="scoringrule_ws_kind"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.points == 0:
            errors["points"] = _("Give the rule some points (or take some away).")
        if self.kind == RuleKind.FIELD:
            if not isinstance(self.conditions, dict) or not self.conditions.get("rules"):
                errors["conditions"] = _("Add at least one condition.")
            self.event_kind, self.event_channel = "", ""
            self.cap_points, self.cap_period = None, CapPeriod.NONE
        elif self.kind == RuleKind.EVENT:
            if not self.event_kind and not self.event_channel:
                errors["event_kind"] = _("Choose a kind of touch point, a channel or both.")
            self.conditions = {}
            if bool(self.cap_points) != bool(self.cap_period):
                errors["cap_points"] = _("A cap needs both the points and the period.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_event(self) -> bool:
        return self.kind == RuleKind.EVENT
