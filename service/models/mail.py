"""Inbound mail: the mailboxes a workspace receives cases on and every raw message received
(kept for review when it cannot be parsed). The email-to-case pipeline fills them."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


class Mailbox(WorkspaceOwned):
    address = models.EmailField(_("address"))
    queue = models.ForeignKey(
        "service.Queue",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mailboxes",
        verbose_name=_("queue"),
    )
    secret_hash = models.CharField(max_length=128, blank=True, editable=False)
    secret_rotated_at = models.DateTimeField(_("secret renewed"), null=True, blank=True)
    last_fetch_at = models.DateTimeField(_("last fetched"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    imap_host = models.CharField(_("IMAP host"), max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), null=True, blank=True)
    imap_user = models.CharField(_("IMAP user"), max_length=255, blank=True)
    imap_password = models.CharField(_("IMAP password"), max_length=255, blank=True)
    imap_folder = models.CharField(_("IMAP folder"), max_length=255, blank=True, default="INBOX")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "address"], name="mailbox_unique_address"),
        ]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self):
        return self.address


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    REVIEW = "review", _("Needs review")
    IGNORED = "ignored", _("Ignored")


class InboundMessage(WorkspaceOwned):
    mailbox = models.ForeignKey(
        Mailbox,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("mailbox"),
    )
    raw = models.BinaryField(_("raw message"), editable=False)
    message_id = models.CharField(_("Message-ID"), max_length=500, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=InboundStatus.choices, default=InboundStatus.RECEIVED
    )
    error = models.TextField(_("error"), blank=True)
    case = models.ForeignKey(
        "service.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_messages",
        verbose_name=_("case"),
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "message_id"],
                condition=~models.Q(message_id=""),
                name="inbound_unique_message_id",
            ),
            models.UniqueConstraint(
                fields=["workspace", "content_hash"], name="inbound_unique_content_hash"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "-received_at"], name="inbound_ws_status"),
        ]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")

    def __str__(self):
        return self.message_id or self.content_hash[:12]
