"""Queues and who works them, SLA targets per priority and canned responses."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


class Assignment(models.TextChoices):
    MANUAL = "manual", _("By hand")
    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_OPEN = "least_open", _("Fewest open cases")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


# Escalation raises a priority one step along this order.
PRIORITY_ORDER = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]


class Queue(WorkspaceOwned):
    """Where new cases wait until an agent takes them or they are assigned."""

    name = models.CharField(_("name"), max_length=100)
    calendar = models.ForeignKey(
        "service.ServiceCalendar",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="queues",
        verbose_name=_("calendar"),
        help_text=_("Empty: the workspace's default calendar."),
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("queue lead"),
    )
    assignment = models.CharField(
        _("assignment"), max_length=12, choices=Assignment.choices, default=Assignment.MANUAL
    )
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    email_address = models.EmailField(_("inbound address"), blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="queue_unique_name"),
        ]
        verbose_name = _("queue")
        verbose_name_plural = _("queues")

    def __str__(self):
        return self.name


class QueueMember(WorkspaceOwned):
    """An agent working a queue; only `available` members get cases assigned automatically."""

    queue = models.ForeignKey(
        Queue, on_delete=models.CASCADE, related_name="members", verbose_name=_("queue")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("agent"),
    )
    available = models.BooleanField(_("available"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "queue", "user"], name="queuemember_unique_user"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "user"], name="queuemember_ws_user")]
        verbose_name = _("queue member")
        verbose_name_plural = _("queue members")

    def __str__(self):
        return f"{self.user} @ {self.queue}"


class SlaPolicy(WorkspaceOwned):
    """Target times of one priority, in business minutes of the case's queue calendar."""

    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(
        _("first response within (business minutes)"), validators=[MinValueValidator(1)]
    )
    next_response_minutes = models.PositiveIntegerField(
        _("next response within (business minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("After each customer message. Empty: no target."),
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (business minutes)"), validators=[MinValueValidator(1)]
    )
    at_risk_percent = models.PositiveSmallIntegerField(
        _("at risk from (% of the target used)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "priority"], name="slapolicy_unique_prio"),
        ]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self):
        return str(self.get_priority_display())


class CannedResponse(WorkspaceOwned):
    """A prepared reply; `body` may hold {{ first_name }}-style fields of the case's contact."""

    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "title"], name="canned_unique_title"),
        ]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")

    def __str__(self):
        return self.title
