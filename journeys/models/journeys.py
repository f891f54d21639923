"""Journeys: a trigger, conditions, a goal, a re-entry policy and versions of steps."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


class JourneyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LIVE = "live", _("Live")
    PAUSED = "paused", _("Paused")
    ARCHIVED = "archived", _("Archived")


class Reentry(models.TextChoices):
    NEVER = "never", _("Never: a contact goes through once")
    AFTER_EXIT = "after_exit", _("Again after leaving")
    AFTER_DAYS = "after_days", _("Again after … days since entering")


class Journey(WorkspaceOwned):
    """An automated path for contacts: a trigger enrols them (if the conditions hold), the
    engine advances them step by step, and the goal takes them out when it is met.

    `current_version` is the version new enrolments get; running enrolments keep theirs.
    `flagged_reason` is set when something the journey points at is gone (a deleted email
    template or segment) or a loop was stopped; the journey page shows it."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JourneyStatus.choices, default=JourneyStatus.DRAFT
    )
    trigger = models.CharField(_("trigger"), max_length=64)
    trigger_params = models.JSONField(_("trigger settings"), default=dict, blank=True)
    conditions = models.JSONField(
        _("conditions"),
        default=dict,
        blank=True,
        help_text=_("A segment rule tree; empty: every contact the trigger finds."),
    )
    goal = models.CharField(_("goal"), max_length=64, blank=True)
    goal_params = models.JSONField(_("goal settings"), default=dict, blank=True)
    reentry = models.CharField(
        _("re-entry"), max_length=12, choices=Reentry.choices, default=Reentry.NEVER
    )
    reentry_days = models.PositiveIntegerField(_("re-entry after days"), null=True, blank=True)
    template_key = models.CharField(_("template"), max_length=64, blank=True)
    flagged_reason = models.TextField(_("problem"), blank=True)
    flagged_at = models.DateTimeField(_("flagged at"), null=True, blank=True)
    current_version = models.ForeignKey(
        "journeys.JourneyVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
    )
    # Scheduled triggers (segment joined, no interaction, anniversary): when the last scan
    # ran; the next one looks at what changed since.
    scanned_at = models.DateTimeField(_("last scan"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="journey_unique_name"),
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "trigger"], name="journey_ws_status_trig"),
        ]
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")

    def __str__(self):
        return self.name


class JourneyVersion(WorkspaceOwned):
    """One frozen set of steps of a journey. Editing a live journey makes a new version;
    enrolments stay on the version they entered with."""

    journey = models.ForeignKey(
        Journey, on_delete=models.CASCADE, related_name="versions", verbose_name=_("journey")
    )
    number = models.PositiveIntegerField(_("version"))
    first_step_key = models.CharField(_("first step"), max_length=16, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["journey", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "journey", "number"], name="journeyversion_unique_number"
            ),
        ]
        verbose_name = _("journey version")
        verbose_name_plural = _("journey versions")

    def __str__(self):
        return f"{self.journey_id} v{self.number}"


class JourneyStep(WorkspaceOwned):
    """A step of one version. `key` ("s3") is stable across versions: an enrolment that
    passed a step never runs a step with the same key again. `next_key` is the step after
    it (blank: the journey ends); `branches` maps a step type's edges other than "next" to
    step keys ({"yes": "s4", "no": "s5"})."""

    version = models.ForeignKey(
        JourneyVersion, on_delete=models.CASCADE, related_name="steps", verbose_name=_("version")
    )
    key = models.CharField(_("key"), max_length=16)
    kind = models.CharField(_("kind"), max_length=64)
    params = models.JSONField(_("settings"), default=dict, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    next_key = models.CharField(_("next step"), max_length=16, blank=True)
    branches = models.JSONField(_("branches"), default=dict, blank=True)

    class Meta:
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "version", "key"], name="journeystep_unique_key"
            ),
        ]
        verbose_name = _("journey step")
        verbose_name_plural = _("journey steps")

    def __str__(self):
        return f"{self.key} ({self.kind})"

    def edge_target(self, edge: str) -> str:
        """The step key an outgoing `edge` leads to ("" ends the journey)."""
        if edge == "next":
            return self.next_key
        return (self.branches or {}).get(edge, "")
