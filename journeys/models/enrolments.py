"""Enrolments (a contact going through a journey), their step executions and the cursors
with which triggers read the shared history."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    EXITED = "exited", _("Reached the goal")
    FAILED = "failed", _("Failed")
    STOPPED = "stopped", _("Stopped")


ENDED_STATUSES = (
    EnrolmentStatus.COMPLETED,
    EnrolmentStatus.EXITED,
    EnrolmentStatus.FAILED,
    EnrolmentStatus.STOPPED,
)


class Enrolment(WorkspaceOwned):
    """A contact on a journey (on one version). Active enrolments with a `next_run_at` in the
    past are due: the engine runs `current_step_key` then. At most one active enrolment per
    (journey, contact). `cause_chain` is the list of journey ids whose steps led to this
    enrolment (loop detection)."""

    journey = models.ForeignKey(
        "journeys.Journey",
        on_delete=models.CASCADE,
        related_name="enrolments",
        verbose_name=_("journey"),
    )
    version = models.ForeignKey(
        "journeys.JourneyVersion",
        on_delete=models.CASCADE,
        related_name="enrolments",
        verbose_name=_("version"),
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        related_name="journey_enrolments",
        verbose_name=_("contact"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE
    )
    current_step_key = models.CharField(_("current step"), max_length=16, blank=True)
    next_run_at = models.DateTimeField(_("next run"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    entered_at = models.DateTimeField(_("entered"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    cause_chain = models.JSONField(_("cause chain"), default=list, blank=True)
    trigger_seq = models.BigIntegerField(_("trigger event"), null=True, blank=True)

    class Meta:
        ordering = ["-entered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "journey", "contact"],
                condition=Q(status="active"),
                name="enrolment_one_active",
            ),
        ]
        indexes = [
            # The due scan: active enrolments by next_run_at (partial: ended ones never count).
            models.Index(
                fields=["workspace", "next_run_at"],
                condition=Q(status="active"),
                name="enrolment_due",
            ),
            models.Index(fields=["workspace", "journey", "status"], name="enrolment_ws_journey"),
            models.Index(fields=["workspace", "contact"], name="enrolment_ws_contact"),
            models.Index(
                fields=["workspace", "ended_at"],
                condition=~Q(status="active"),
                name="enrolment_ended",
            ),
        ]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")

    def __str__(self):
        return f"{self.journey_id}: {self.contact_id} ({self.status})"


class StepStatus(models.TextChoices):
    RETRYING = "retrying", _("Retrying")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class StepExecution(WorkspaceOwned):
    """One step run for one enrolment: unique per (enrolment, step_key), so a step that
    finished is never run again for that contact (a retry updates the same row).
    `seq_from`/`seq_to` are the touch point sequence numbers written by the step (the
    events it caused, for loop detection)."""

    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.CASCADE,
        related_name="executions",
        verbose_name=_("enrolment"),
    )
    step_key = models.CharField(_("step"), max_length=16)
    kind = models.CharField(_("kind"), max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=StepStatus.choices)
    edge = models.CharField(_("edge"), max_length=16, blank=True)
    outcome = models.JSONField(_("outcome"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    seq_from = models.BigIntegerField(null=True, blank=True, editable=False)
    seq_to = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "enrolment", "step_key"], name="stepexecution_once"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "seq_from"], name="stepexecution_seq"),
        ]
        verbose_name = _("step execution")
        verbose_name_plural = _("step executions")

    def __str__(self):
        return f"{self.enrolment_id}/{self.step_key}: {self.status}"


class CursorStream(models.TextChoices):
    INTERACTIONS = "interactions", _("Touch points")
    CHANGES = "changes", _("Change log")


class TriggerCursor(WorkspaceOwned):
    """How far the trigger consumer has read a stream of the workspace (the last `seq`)."""

    stream = models.CharField(_("stream"), max_length=16, choices=CursorStream.choices)
    last_seq = models.BigIntegerField(_("last seq"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "stream"], name="triggercursor_unique"),
        ]
        verbose_name = _("trigger cursor")
        verbose_name_plural = _("trigger cursors")

    def __str__(self):
        return f"{self.workspace_id}/{self.stream}: {self.last_seq}"
