"""Email templates, the asset library and sender identities."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


class EmailTemplate(WorkspaceOwned):
    name = models.CharField(_("name"), max_length=200)
    subject = models.CharField(_("subject"), max_length=300)
    html_body = models.TextField(_("HTML body"), blank=True)
    text_body = models.TextField(_("plain-text body"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        indexes = [models.Index(fields=["workspace", "name", "id"], name="emailtemplate_ws_name")]
        verbose_name = _("email template")
        verbose_name_plural = _("email templates")

    def __str__(self):
        return self.name


def asset_upload_to(instance, filename: str) -> str:
    """Assets are stored per workspace: marketing/assets/<workspace id>/<file name>."""
    return f"marketing/assets/{instance.workspace_id}/{filename}"


class Asset(WorkspaceOwned):
    name = models.CharField(_("name"), max_length=200)
    file = models.FileField(_("file"), upload_to=asset_upload_to, max_length=300)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="asset_ws_created")
        ]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")

    def __str__(self):
        return self.name


class SenderIdentity(WorkspaceOwned):
    """Who a campaign is from, and the throttle of everything sent as it: `rate_per_minute`
    (None: unlimited), `hourly_cap` / `daily_cap` (None: none), `allowed_weekdays` (0 = Monday
    .. 6, empty: all) and `allowed_start`/`allowed_end` (local times in the workspace's zone,
    None: any). `dns_check` holds the last SPF/DKIM/DMARC check."""

    name = models.CharField(_("name"), max_length=200)
    from_name = models.CharField(_("from name"), max_length=200, blank=True)
    from_email = models.EmailField(_("from address"))
    reply_to = models.EmailField(_("reply-to address"), blank=True)
    dkim_selector = models.CharField(
        _("DKIM selector"),
        max_length=63,
        blank=True,
        help_text=_("The selector your mail relay signs with, e.g. “mail” or “s1”."),
    )
    rate_per_minute = models.PositiveIntegerField(
        _("messages per minute"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    hourly_cap = models.PositiveIntegerField(_("messages per hour"), null=True, blank=True)
    daily_cap = models.PositiveIntegerField(_("messages per day"), null=True, blank=True)
    allowed_weekdays = models.JSONField(_("sending weekdays"), default=list, blank=True)
    allowed_start = models.TimeField(_("send from"), null=True, blank=True)
    allowed_end = models.TimeField(_("send until"), null=True, blank=True)
    dns_check = models.JSONField(_("DNS check"), default=dict, blank=True)
    dns_checked_at = models.DateTimeField(_("DNS checked at"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "name", "id"], name="sender_ws_name")]
        verbose_name = _("sender identity")
        verbose_name_plural = _("sender identities")

    def __str__(self):
        return f"{self.name} <{self.from_email}>"


class BounceSettings(WorkspaceOwned):
    """The workspace's inbound bounce/complaint endpoint: `secret` authenticates the relay's
    POSTs (rotatable on the settings page); `soft_bounce_limit` soft bounces of one address
    within `soft_bounce_days` days suppress it. One row per workspace, made on first use."""

    secret = models.CharField(_("secret"), max_length=64)
    soft_bounce_limit = models.PositiveSmallIntegerField(
        _("soft bounces before suppression"), default=3
    )
    soft_bounce_days = models.PositiveSmallIntegerField(_("within days"), default=30)
    rotated_at = models.DateTimeField(_("secret rotated at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="bouncesettings_unique_workspace")
        ]
        verbose_name = _("bounce settings")
        verbose_name_plural = _("bounce settings")

    def __str__(self):
        return str(_("Bounce settings"))
