"""The webhook outbox rows: one event per source event and type, one delivery per event and
endpoint (its state, attempts and claim), and the dispatcher's cursor over the workspace's
change sequence."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned

from .endpoints import EventType, WebhookEndpoint


class WebhookCursor(WorkspaceOwned):
    """How far the dispatcher has read the workspace's change log and touch points (both are
    numbered from the one change sequence): the last `seq` handled."""

    last_seq = models.BigIntegerField(_("last seq"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="webhookcursor_unique")]
        verbose_name = _("webhook cursor")
        verbose_name_plural = _("webhook cursors")

    def __str__(self):
        return f"{self.workspace_id}: {self.last_seq}"


class WebhookEvent(WorkspaceOwned):
    """One event as sent: `msg_id` is the `webhook-id` header, the same on every attempt,
    replay and endpoint; `payload` the JSON body. `source_seq` is the change-log or touch
    point `seq` it came from (None for a test event)."""

    msg_id = models.CharField(_("message id"), max_length=40)
    type = models.CharField(_("type"), max_length=40)
    payload = models.JSONField(_("payload"))
    source_seq = models.BigIntegerField(_("source seq"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "msg_id"], name="webhookevent_msg"),
            models.UniqueConstraint(
                fields=["workspace", "source_seq", "type"],
                condition=models.Q(source_seq__isnull=False),
                name="webhookevent_source",
            ),
        ]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self):
        return f"{self.type} {self.msg_id}"

    @property
    def type_label(self) -> str:
        return str(EventType(self.type).label) if self.type in EventType.values else self.type


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERING = "delivering", _("Delivering")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class WebhookDelivery(WorkspaceOwned):
    """One event to one endpoint. A worker claims it (`claimed_by`, `heartbeat_at`) with a
    conditional UPDATE; `attempts` counts the attempts made, `next_attempt_at` is when the
    next is due (pending only). The last attempt's request is summarised in the `last_*`
    columns. `replay_of` names the delivery a replay was made from."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    last_duration_ms = models.PositiveIntegerField(_("last duration (ms)"), null=True)
    last_timestamp = models.BigIntegerField(_("last webhook-timestamp"), null=True)
    claimed_by = models.CharField(_("claimed by"), max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(_("heartbeat"), null=True, blank=True)
    replay_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["workspace", "status", "next_attempt_at"], name="webhookdelivery_due"
            ),
            models.Index(fields=["workspace", "endpoint", "id"], name="webhookdelivery_endpoint"),
        ]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self):
        return f"{self.event_id} → {self.endpoint_id}: {self.status}"
