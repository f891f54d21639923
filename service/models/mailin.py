"""What email to case keeps beside the mailboxes and inbound messages: the workspace's
inbound endpoint (its secret, stored as a hash, and its health), the automatic
acknowledgements sent (one per sender per 24 h), addresses that bounced for good and the
link from a forwarded message's case to the case it forwards."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


class InboundSettings(WorkspaceOwned):
    """One row per workspace: the inbound endpoint's secret (sha256 hex of it; the secret
    itself is shown once, when it is made), whether new cases get an automatic
    acknowledgement, and when mail last arrived or last failed to parse."""

    secret_hash = models.CharField(max_length=64, blank=True, editable=False)
    secret_rotated_at = models.DateTimeField(_("secret renewed"), null=True, blank=True)
    auto_acknowledge = models.BooleanField(
        _("acknowledge new cases"),
        default=True,
        help_text=_("Send the customer an automatic confirmation with the case number."),
    )
    last_arrival_at = models.DateTimeField(_("last message arrived"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("last message failed"), null=True, blank=True)
    last_failure = models.TextField(_("last failure"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="inboundsettings_unique_workspace"),
        ]
        verbose_name = _("inbound mail settings")
        verbose_name_plural = _("inbound mail settings")

    def __str__(self):
        return str(_("Inbound mail settings"))


class Acknowledgement(WorkspaceOwned):
    """An automatic acknowledgement sent to `address_key` (contacts.emails.email_key) for a
    case: at most one per sender per 24 hours."""

    address_key = models.CharField(max_length=320)
    case = models.ForeignKey(
        "service.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "address_key", "-sent_at"], name="ack_ws_address"),
        ]
        verbose_name = _("acknowledgement")

    def __str__(self):
        return f"{self.address_key} {self.sent_at:%Y-%m-%d %H:%M}"


class UndeliverableAddress(WorkspaceOwned):
    """An address a reply bounced from for good (DSN status 5.1.x: no such mailbox or
    domain). Replies to it are refused until an agent clears it."""

    address = models.CharField(_("address"), max_length=320)
    address_key = models.CharField(max_length=320, editable=False)
    status = models.CharField(_("status"), max_length=16, blank=True)
    diagnostic = models.TextField(_("diagnostic"), blank=True)
    message = models.ForeignKey(
        "service.CaseMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bounced reply"),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "address_key"], name="undeliverable_unique_address"
            ),
        ]
        verbose_name = _("undeliverable address")
        verbose_name_plural = _("undeliverable addresses")

    def __str__(self):
        return self.address


class CaseLink(WorkspaceOwned):
    """`case` was opened from a message that forwarded the conversation of `linked_case`."""

    case = models.ForeignKey(
        "service.Case", on_delete=models.CASCADE, related_name="links", verbose_name=_("case")
    )
    linked_case = models.ForeignKey(
        "service.Case",
        on_delete=models.CASCADE,
        related_name="linked_from",
        verbose_name=_("linked case"),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "case", "linked_case"], name="caselink_unique_pair"
            ),
        ]
        verbose_name = _("case link")

    def __str__(self):
        return f"{self.case_id} → {self.linked_case_id}"
