"""Deliveries (one message of a campaign to one contact and address), their events and the
suppression list."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # frozen, not yet released (A/B remainder)
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Suppressed")
    CANCELLED = "cancelled", _("Cancelled")


class Delivery(WorkspaceOwned):
    """One message: queued → sending (claimed_at/claimed_by) → sent | failed. `address` is the
    comparison key of the address (contacts.emails.email_key). Tokens (unsubscribe, pixel,
    click) are signed from the id, nothing secret is stored."""

    campaign = models.ForeignKey(
        "marketing.Campaign",
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("campaign"),
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("contact"),
    )
    address = models.CharField(_("address"), max_length=320)
    variant = models.ForeignKey(
        "marketing.CampaignVariant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("variant"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=100, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=300, blank=True)
    smtp_code = models.PositiveSmallIntegerField(_("SMTP code"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "campaign", "contact"], name="delivery_unique_contact"
            ),
            models.UniqueConstraint(
                fields=["workspace", "campaign", "address"], name="delivery_unique_address"
            ),
        ]
        indexes = [
            models.Index(
                fields=["campaign", "status", "next_attempt_at"], name="delivery_campaign_status"
            ),
            models.Index(fields=["workspace", "contact"], name="delivery_ws_contact"),
            models.Index(fields=["workspace", "status", "claimed_at"], name="delivery_ws_claims"),
        ]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self):
        return f"{self.campaign_id} → {self.address}"


class EventKind(models.TextChoices):
    SEND = "send", _("Sent")
    OPEN = "open", _("Opened")
    CLICK = "click", _("Clicked")
    UNSUBSCRIBE = "unsubscribe", _("Unsubscribed")
    BOUNCE = "bounce", _("Bounced")
    COMPLAINT = "complaint", _("Complained")


class DeliveryEvent(WorkspaceOwned):
    """What happened to a delivered message. `machine`: an open by a proxy or privacy
    feature (Apple Mail Privacy Protection, Google's image proxy, an open seconds after the
    send), not by a person."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="events", verbose_name=_("delivery")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    link = models.ForeignKey(
        "marketing.TrackedLink",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("link"),
    )
    occurred_at = models.DateTimeField(_("occurred"))
    machine = models.BooleanField(_("machine"), default=False)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "delivery", "kind"], name="deliveryevent_ws_kind"),
        ]
        verbose_name = _("delivery event")
        verbose_name_plural = _("delivery events")

    def __str__(self):
        return f"{self.delivery_id} {self.kind}"


class SuppressionReason(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    HARD_BOUNCE = "hard_bounce", _("Hard bounce")
    COMPLAINT = "complaint", _("Complaint")
    SOFT_BOUNCES = "soft_bounces", _("Repeated soft bounces")
    MANUAL = "manual", _("Added by hand")


class Suppression(WorkspaceOwned):
    """An address (comparison key) no campaign mails again."""

    address = models.CharField(_("address"), max_length=320)
    reason = models.CharField(_("reason"), max_length=12, choices=SuppressionReason.choices)
    source = models.CharField(_("source"), max_length=200, blank=True)
    delivery = models.ForeignKey(
        Delivery,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("delivery"),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "address"], name="suppression_unique")
        ]
        verbose_name = _("suppression")
        verbose_name_plural = _("suppressions")

    def __str__(self):
        return self.address
