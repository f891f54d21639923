"""Privacy (GDPR): the register of data subjects' requests, the workspace's retention rules
and the keyed hashes of erased addresses (so an erased address stays suppressed)."""

import calendar
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


class PrivacyRequestKind(models.TextChoices):
    ACCESS = "access", _("Access (data export)")
    ERASURE = "erasure", _("Erasure")
    RECTIFICATION = "rectification", _("Rectification")
    OBJECTION = "objection", _("Objection")


class PrivacyRequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Completed")
    REFUSED = "refused", _("Refused")


def due_after(received_at):
    """The answer's deadline: one calendar month after receipt (GDPR art. 12(3)); 31 January
    gives 28/29 February (the day is clamped to the month's last day)."""
    return months_later(received_at, 1)


def months_later(moment, months: int):
    """`moment` (a date or datetime) `months` calendar months later (negative: earlier), the
    day clamped to the target month's last day."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


class PrivacyRequest(WorkspaceOwned):
    """A data subject's request (access, erasure, rectification, objection) and its handling:
    due one calendar month after `received_at`; `completed_at` set when answered. `contact`
    stays linked after an erasure (the placeholder), so the register shows what was done."""

    kind = models.CharField(_("kind"), max_length=16, choices=PrivacyRequestKind.choices)
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact"),
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PrivacyRequestStatus.choices,
        default=PrivacyRequestStatus.OPEN,
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "status", "due_at"], name="privreq_ws_status_due"),
            models.Index(fields=["workspace", "contact"], name="privreq_ws_contact"),
        ]
        ordering = ["due_at", "id"]
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_overdue(self) -> bool:
        return self.status == PrivacyRequestStatus.OPEN and self.due_at < timezone.now()


def _new_secret() -> str:
    return secrets.token_hex(32)


class PrivacySettings(WorkspaceOwned):
    """One row per workspace (made on first use): the retention rules (off by default) and the
    secret that keys the hashes of erased addresses (64 hex digits; never shown)."""

    erase_inactive_months = models.PositiveSmallIntegerField(
        _("erase contacts without a touch point for (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: never. Contacts with no touch point for this long are erased."),
    )
    delete_texts_months = models.PositiveSmallIntegerField(
        _("delete touch point texts and case messages older than (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: never. The facts (kind, channel, time) stay."),
    )
    address_secret = models.CharField(_("address secret"), max_length=64, default=_new_secret)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="privacysettings_unique_workspace")
        ]
        verbose_name = _("privacy settings")
        verbose_name_plural = _("privacy settings")

    def __str__(self):
        return str(_("Privacy settings"))


class ErasedAddress(WorkspaceOwned):
    """The keyed hash (HMAC-SHA256 with PrivacySettings.address_secret, hex) of an erased
    contact's email address or phone number: the value itself is gone, but a later import,
    form or API create of the same address is recognised and kept from marketing email."""

    digest = models.CharField(_("digest"), max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "digest"], name="erasedaddress_unique_digest"
            )
        ]
        verbose_name = _("erased address")
        verbose_name_plural = _("erased addresses")

    def __str__(self):
        return self.digest[:12]
