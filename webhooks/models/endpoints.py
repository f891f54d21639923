"""A webhook endpoint: a URL of another system subscribed to event types of the workspace."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


class EventType(models.TextChoices):
    """The event types an endpoint can subscribe to (webhooks.events maps the change log and
    the customer history to them)."""

    CONTACT_CREATED = "contact.created", _("Contact created")
    CONTACT_UPDATED = "contact.updated", _("Contact updated")
    DEAL_STAGE_CHANGED = "deal.stage_changed", _("Deal moved to another stage")
    DEAL_WON = "deal.won", _("Deal won")
    CASE_CREATED = "case.created", _("Case created")
    CASE_RESOLVED = "case.resolved", _("Case resolved")
    CAMPAIGN_SENT = "campaign.sent", _("Campaign sent")
    INTERACTION_RECORDED = "interaction.recorded", _("Touch point recorded")
    UNSUBSCRIBE = "unsubscribe", _("Unsubscribed from campaigns")


class WebhookEndpoint(WorkspaceOwned):
    """Where the workspace's events go. `secret` signs every attempt (Standard Webhooks,
    "whsec_" + base64); after a rotation `previous_secret` signs too until
    `previous_secret_until`. `failing_since` is the first failed attempt since the last
    success; the endpoint is disabled (`disabled_at`, `disabled_reason`) after days of
    failures or at once by a 410 Gone, and `notice_sent_at` says when its admins were told
    it is failing."""

    url = models.URLField(_("URL"), max_length=2000)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("event types"), default=list)
    secret = models.CharField(_("signing secret"), max_length=100)
    previous_secret = models.CharField(_("previous signing secret"), max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(
        _("previous secret valid until"), null=True, blank=True
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=200, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    notice_sent_at = models.DateTimeField(_("failure notice sent at"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        indexes = [models.Index(fields=["workspace", "enabled"], name="webhookendpoint_enabled")]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return self.description or self.url
