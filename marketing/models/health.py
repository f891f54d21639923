"""What the marketing health page reads besides the deliveries: the last run of each periodic
task (one row per task name, written by the Celery signal handlers of marketing.task_runs)
and the open queue alert of a workspace."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import TimeStamped, WorkspaceOwned


class TaskRun(TimeStamped):
    """The last run of one periodic (beat) task. Installation-wide, not a workspace's data: a
    beat task fans out over every workspace, so its run belongs to none (no workspace
    column, hence no scoped manager). One row per task name, updated in place."""

    name = models.CharField(_("task"), max_length=200, unique=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_succeeded = models.BooleanField(_("last run succeeded"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)

    class Meta:
        verbose_name = _("periodic task run")
        verbose_name_plural = _("periodic task runs")

    def __str__(self):
        return self.name


class QueueAlert(WorkspaceOwned):
    """A workspace's alert "deliveries wait over 10 minutes". One row per workspace:
    `raised_at` is set while the alert is open (None: all clear), `notified_at` is when the
    workspace admins were last emailed (at most once per QUEUE_ALERT_REPEAT), `cleared_at`
    when it last closed. `waiting` and `oldest_since` are the figures of the last check."""

    raised_at = models.DateTimeField(_("raised"), null=True, blank=True)
    notified_at = models.DateTimeField(_("admins notified"), null=True, blank=True)
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)
    waiting = models.PositiveIntegerField(_("deliveries waiting"), default=0)
    oldest_since = models.DateTimeField(_("oldest waiting since"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="queuealert_unique_workspace")
        ]
        verbose_name = _("queue alert")
        verbose_name_plural = _("queue alerts")

    def __str__(self):
        return f"queue alert {self.workspace_id}"
