"""Campaigns, their A/B variants and tracked links."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    PAUSED = "paused", _("Paused")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class AbMetric(models.TextChoices):
    CLICKS = "clicks", _("Click rate")
    OPENS = "opens", _("Open rate")


class Campaign(WorkspaceOwned):
    """An email campaign. subject/html_body/text_body are the content (a frozen copy of the
    template at launch). `rate_per_minute` is the campaign's own throttle (None: the sender's
    only); `slow_until` and `slow_factor` slow it down after temporary SMTP refusals."""

    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    template = models.ForeignKey(
        "marketing.EmailTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("template"),
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    html_body = models.TextField(_("HTML body"), blank=True)
    text_body = models.TextField(_("plain-text body"), blank=True)
    sender = models.ForeignKey(
        "marketing.SenderIdentity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("sender"),
    )
    segments = models.ManyToManyField(
        "marketing.Segment", blank=True, related_name="campaigns", verbose_name=_("segments")
    )
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    launched_at = models.DateTimeField(_("launched"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    rate_per_minute = models.PositiveIntegerField(
        _("messages per minute"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    slow_factor = models.PositiveSmallIntegerField(default=1)
    slow_until = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    # A/B test
    ab_enabled = models.BooleanField(_("A/B test"), default=False)
    ab_test_percent = models.PositiveSmallIntegerField(_("test share (%)"), default=20)
    ab_metric = models.CharField(
        _("winner by"), max_length=8, choices=AbMetric.choices, default=AbMetric.CLICKS
    )
    ab_wait_minutes = models.PositiveIntegerField(_("wait (minutes)"), default=240)
    ab_winner = models.CharField(_("winner"), max_length=1, blank=True)
    ab_decided_at = models.DateTimeField(_("winner decided"), null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="campaign_ws_created"),
            models.Index(fields=["workspace", "status"], name="campaign_ws_status"),
        ]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self):
        return self.name


class CampaignVariant(WorkspaceOwned):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="variants", verbose_name=_("campaign")
    )
    key = models.CharField(_("variant"), max_length=1)  # "A" | "B"
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    html_body = models.TextField(_("HTML body"), blank=True)
    text_body = models.TextField(_("plain-text body"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "campaign", "key"], name="campaignvariant_unique_key"
            )
        ]
        verbose_name = _("campaign variant")
        verbose_name_plural = _("campaign variants")

    def __str__(self):
        return f"{self.campaign_id} {self.key}"


class TrackedLink(WorkspaceOwned):
    """A link of a campaign's content; click tokens name it and redirect only to `url`."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="links", verbose_name=_("campaign")
    )
    url = models.URLField(_("URL"), max_length=2000)
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "campaign", "position"], name="trackedlink_unique_position"
            )
        ]
        verbose_name = _("tracked link")
        verbose_name_plural = _("tracked links")

    def __str__(self):
        return self.url
