"""Leads: people and/or companies that are not customers yet."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from contacts.models.contacts import extension_needs_phone
from workspaces.models import WorkspaceOwned


class LeadSource(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    IMPORT = "import", _("Import")
    EVENT = "event", _("Event")
    REFERRAL = "referral", _("Referral")
    CAMPAIGN = "campaign", _("Campaign")
    COLD_CALL = "cold_call", _("Cold call")
    OTHER = "other", _("Other")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    WORKING = "working", _("Working")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")
    CONVERTED = "converted", _("Converted")


class Lead(WorkspaceOwned):
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)  # E.164
    phone_extension = models.CharField(  # digits
        _("extension"), max_length=20, blank=True, default="", db_default=""
    )
    website = models.CharField(_("website"), max_length=253, blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=LeadSource.choices, default=LeadSource.OTHER
    )
    status = models.CharField(
        _("status"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    disqualify_reason = models.CharField(_("reason for disqualifying"), max_length=200, blank=True)
    message = models.TextField(_("message"), blank=True)
    # qualification (BANT)
    budget = models.TextField(_("budget"), blank=True)
    authority = models.TextField(_("authority"), blank=True)
    need = models.TextField(_("need"), blank=True)
    timeline = models.TextField(_("timeline"), blank=True)
    consent_email = models.BooleanField(_("agreed to receive emails"), default=False)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    # touch points recorded before the lead had a contact; replayed onto the contact on convert
    pending_touchpoints = models.JSONField(default=list, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    converted_contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_leads",
        verbose_name=_("contact"),
    )
    converted_account = models.ForeignKey(
        "contacts.Account",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_leads",
        verbose_name=_("account"),
    )
    converted_deal = models.ForeignKey(
        "sales.Deal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deal"),
    )
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="lead_ws_created"),
            models.Index(
                fields=["workspace", "status", "-created_at", "-id"], name="lead_ws_status"
            ),
            models.Index(fields=["workspace", "owner", "-created_at", "-id"], name="lead_ws_owner"),
            models.Index(fields=["workspace", "email"], name="lead_ws_email"),
            models.Index(fields=["workspace", "phone"], name="lead_ws_phone"),
        ]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")

    def __str__(self):
        person = " ".join(p for p in (self.first_name, self.last_name) if p)
        if person and self.company:
            return f"{person} ({self.company})"
        return person or self.company or self.email or f"#{self.pk}"

    def clean(self):
        extension_needs_phone(self)

    @property
    def name(self):
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def is_open(self):
        return self.status in (LeadStatus.NEW, LeadStatus.WORKING, LeadStatus.QUALIFIED)
