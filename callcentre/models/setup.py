"""The call centre's set-up per workspace: its settings (telephony signing secret, thresholds),
the mappings of the phone system's agent and queue names, queue targets and agent sessions."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


def new_event_secret() -> str:
    """A fresh signing secret of the telephony endpoint (Standard Webhooks style "whsec_" +
    base64 of 32 random bytes)."""
    import base64

    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class CallCentreSettings(WorkspaceOwned):
    """One row per workspace, made on first use with the defaults."""

    event_secret = models.CharField(
        _("event signing secret"), max_length=100, default=new_event_secret
    )
    short_abandon_seconds = models.PositiveIntegerField(
        _("short abandon (seconds)"),
        default=5,
        validators=[MaxValueValidator(600)],
        help_text=_("Callers who hang up within this many seconds are not counted or called back."),
    )
    incomplete_after_hours = models.PositiveSmallIntegerField(
        _("close open calls after (hours)"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(72)],
    )
    fcr_days = models.PositiveSmallIntegerField(
        _("first-contact resolution window (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="ccsettings_unique_workspace")
        ]
        verbose_name = _("call-centre settings")
        verbose_name_plural = _("call-centre settings")

    def __str__(self):
        return str(_("Call-centre settings"))


class AgentLine(WorkspaceOwned):
    """The agent id or extension by which the phone system names a member."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("agent"),
    )
    ref = models.CharField(_("agent id or extension"), max_length=64)

    class Meta:
        ordering = ["ref"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "ref"], name="agentline_unique_ref"),
        ]
        indexes = [models.Index(fields=["workspace", "user"], name="agentline_ws_user")]
        verbose_name = _("agent line")
        verbose_name_plural = _("agent lines")

    def __str__(self):
        return self.ref


class QueueLine(WorkspaceOwned):
    """The name by which the phone system calls one of the service queues."""

    queue = models.ForeignKey(
        "service.Queue", on_delete=models.CASCADE, related_name="+", verbose_name=_("queue")
    )
    ref = models.CharField(_("queue name in the phone system"), max_length=128)

    class Meta:
        ordering = ["ref"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "ref"], name="queueline_unique_ref"),
        ]
        indexes = [models.Index(fields=["workspace", "queue"], name="queueline_ws_queue")]
        verbose_name = _("queue line")
        verbose_name_plural = _("queue lines")

    def __str__(self):
        return self.ref


class QueueTarget(WorkspaceOwned):
    """Service targets of one queue's calls."""

    queue = models.ForeignKey(
        "service.Queue", on_delete=models.CASCADE, related_name="+", verbose_name=_("queue")
    )
    service_level_percent = models.PositiveSmallIntegerField(
        _("service level (%)"), default=80, validators=[MaxValueValidator(100)]
    )
    answer_within_seconds = models.PositiveIntegerField(_("answered within (seconds)"), default=20)
    abandon_rate_percent = models.PositiveSmallIntegerField(
        _("abandon rate at most (%)"), default=5, validators=[MaxValueValidator(100)]
    )
    asa_seconds = models.PositiveIntegerField(_("average speed of answer (seconds)"), default=20)
    aht_seconds = models.PositiveIntegerField(_("average handle time (seconds)"), default=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "queue"], name="queuetarget_unique_queue"),
        ]
        verbose_name = _("queue target")
        verbose_name_plural = _("queue targets")

    def __str__(self):
        return str(self.queue)


class AgentSession(WorkspaceOwned):
    """Logged-in (staffed) time of an agent; occupancy = handle time / staffed time."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("agent"),
    )
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "agent", "started_at"], name="agentsession_ws_agent"),
            models.Index(fields=["workspace", "started_at"], name="agentsession_ws_started"),
        ]
        verbose_name = _("agent session")
        verbose_name_plural = _("agent sessions")

    def __str__(self):
        return f"{self.agent} {self.started_at:%Y-%m-%d %H:%M}"
