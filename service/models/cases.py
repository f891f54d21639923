"""Cases (complaints, inquiries, requests, incidents), their conversation and attachments."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from touchpoints.channels import Channel
from workspaces.models import WorkspaceOwned

from .queues import Priority


class CaseType(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    INQUIRY = "inquiry", _("Inquiry")
    REQUEST = "request", _("Request")
    INCIDENT = "incident", _("Incident")


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# Statuses in which a case still needs work (the backlog); pending pauses the SLA clock.
OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.PENDING)

# The moves an agent can make; a customer reply also reopens a resolved case.
CASE_TRANSITIONS = {
    CaseStatus.NEW: {CaseStatus.OPEN, CaseStatus.PENDING, CaseStatus.RESOLVED, CaseStatus.CLOSED},
    CaseStatus.OPEN: {CaseStatus.PENDING, CaseStatus.RESOLVED, CaseStatus.CLOSED},
    CaseStatus.PENDING: {CaseStatus.OPEN, CaseStatus.RESOLVED, CaseStatus.CLOSED},
    CaseStatus.RESOLVED: {CaseStatus.OPEN, CaseStatus.CLOSED},
    CaseStatus.CLOSED: {CaseStatus.OPEN},
}


class Remedy(models.TextChoices):
    REFUND = "refund", _("Refund")
    REPLACEMENT = "replacement", _("Replacement")
    CREDIT = "credit", _("Credit note")
    REPAIR = "repair", _("Repair")
    APOLOGY = "apology", _("Apology")
    OTHER = "other", _("Other")


class SlaState(models.TextChoices):
    OK = "ok", _("On time")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")


class CaseCounter(WorkspaceOwned):
    """The last case number handed out in a workspace (one row, locked to count)."""

    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="casecounter_unique_workspace"),
        ]

    def __str__(self):
        return str(self.last_number)


class Case(WorkspaceOwned):
    number = models.PositiveIntegerField(_("number"), editable=False)
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("contact"),
    )
    account = models.ForeignKey(
        "contacts.Account",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("account"),
    )
    type = models.CharField(
        _("type"), max_length=10, choices=CaseType.choices, default=CaseType.INQUIRY
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.EMAIL
    )
    subject = models.CharField(_("subject"), max_length=300)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    queue = models.ForeignKey(
        "service.Queue",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("queue"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    product_ref = models.CharField(_("product"), max_length=200, blank=True)
    order_ref = models.CharField(_("order"), max_length=100, blank=True)
    # complaints
    category = models.CharField(_("complaint category"), max_length=100, blank=True)
    root_cause = models.CharField(_("root cause"), max_length=200, blank=True)
    remedy = models.CharField(_("remedy"), max_length=12, choices=Remedy.choices, blank=True)
    remedy_deadline = models.DateField(_("remedy due"), null=True, blank=True)
    # SLA clock (recomputed by service.services.sla)
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    next_response_due = models.DateTimeField(_("next response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    last_customer_message_at = models.DateTimeField(
        _("last customer message"), null=True, blank=True
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    paused_since = models.DateTimeField(_("waiting on the customer since"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("business seconds paused"), default=0)
    sla_state = models.CharField(
        _("SLA"), max_length=10, choices=SlaState.choices, default=SlaState.OK
    )
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    auto_closed = models.BooleanField(_("closed automatically"), default=False)
    follow_up = models.BooleanField(_("needs follow-up"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="case_unique_number"),
        ]
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="case_ws_created"),
            models.Index(
                fields=["workspace", "status", "-created_at", "-id"], name="case_ws_status"
            ),
            models.Index(
                fields=["workspace", "assignee", "status", "-created_at"], name="case_ws_assignee"
            ),
            models.Index(fields=["workspace", "queue", "status"], name="case_ws_queue"),
            models.Index(fields=["workspace", "contact", "-created_at"], name="case_ws_contact"),
            models.Index(fields=["workspace", "sla_state", "status"], name="case_ws_sla"),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self):
        return f"#{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_complaint(self) -> bool:
        return self.type == CaseType.COMPLAINT

    def allowed_transitions(self) -> set[str]:
        return CASE_TRANSITIONS[CaseStatus(self.status)]


class MessageKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer message")
    REPLY = "reply", _("Reply")
    NOTE = "note", _("Internal note")
    CALL = "call", _("Phone call")
    VISIT = "visit", _("Visit")
    SYSTEM = "system", _("Change")


class DeliveryStatus(models.TextChoices):
    NONE = "", _("Not sent")
    RETRYING = "retrying", _("Waiting to retry")  # the mail server refused for now
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Delivery failed")


class CaseMessage(WorkspaceOwned):
    """One entry of a case's conversation: what the customer wrote, an agent's reply, an
    internal note, a logged call or visit, or a system entry (status, priority, assignee or
    queue changed). `body_html` is sanitised before it is stored."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="messages", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    to_addresses = models.TextField(_("to"), blank=True)
    cc_addresses = models.TextField(_("cc"), blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=500, blank=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=500, blank=True)
    references = models.TextField(_("References"), blank=True)
    inbound = models.ForeignKey(
        "service.InboundMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="case_messages",
    )
    delivery_status = models.CharField(
        _("delivery"), max_length=10, choices=DeliveryStatus.choices, blank=True, default=""
    )
    delivery_error = models.TextField(_("delivery error"), blank=True)
    # temporary SMTP failures so far, and when the retry sweep sends it again
    delivery_attempts = models.PositiveSmallIntegerField(
        _("delivery attempts"), default=0, db_default=0
    )
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "case", "created_at", "id"], name="casemsg_ws_case"),
            models.Index(
                fields=["workspace", "next_attempt_at"],
                condition=models.Q(delivery_status="retrying"),
                name="casemsg_retry_due",
            ),
            models.Index(fields=["workspace", "message_id"], name="casemsg_ws_msgid"),
            # a reply that arrived before the message it answers (inbound._answered_early)
            models.Index(fields=["workspace", "in_reply_to"], name="casemsg_ws_inreplyto"),
        ]
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")

    def __str__(self):
        return f"{self.get_kind_display()} #{self.case_id}"

    @property
    def is_internal(self) -> bool:
        return self.kind in (MessageKind.NOTE, MessageKind.SYSTEM)


class CaseAttachment(WorkspaceOwned):
    message = models.ForeignKey(
        CaseMessage, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("message")
    )
    file = models.FileField(_("file"), upload_to="service/attachments/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)

    class Meta:
        indexes = [models.Index(fields=["workspace", "message"], name="caseattach_ws_msg")]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.filename


def new_case_form_key() -> str:
    return secrets.token_urlsafe(16)


class CaseWebForm(WorkspaceOwned):
    """The workspace's public "contact us / complaint" form: its secret key (in the signed
    form address) and whether it is switched on; new cases land in `queue`."""

    key = models.CharField(_("key"), max_length=64, default=new_case_form_key)
    enabled = models.BooleanField(_("switched on"), default=True)
    queue = models.ForeignKey(
        "service.Queue",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("queue for new cases"),
    )
    rotated_at = models.DateTimeField(_("address renewed"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="casewebform_unique_workspace")
        ]
        verbose_name = _("case web form")

    def __str__(self):
        return f"{_('Case form')} @ {self.workspace_id}"
