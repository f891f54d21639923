"""The shared customer history (DESIGN.md §5): one append-only row per touch point.

Append-only history is not copied into the change log (CONTRIBUTING.md, "Change log"): each
row carries its own `seq` from the workspace's change sequence, and consumers read new rows
by it. Only a row's later change (a merge moves it) or deletion is a change event.

Deviation noted in the issue: `contact` and `account` are lazy foreign keys ("contacts.Contact")
so the timeline joins and cascades in the database; touchpoints never imports contacts code.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned

from .channels import CHANNEL_GROUP, Channel
from .registry import interaction_kind_label, timeline_app_choices


class Direction(models.TextChoices):
    INBOUND = "in", _("Inbound")
    OUTBOUND = "out", _("Outbound")
    INTERNAL = "internal", _("Internal")


class Interaction(WorkspaceOwned):
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="interactions",
        verbose_name=_("contact"),
    )
    account = models.ForeignKey(
        "contacts.Account",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
        verbose_name=_("account"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=64)  # e.g. call.logged, deal.stage_changed
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.OUTBOUND
    )
    # the app that wrote it: a key of touchpoints.registry (apps register theirs, no migration)
    app = models.CharField(_("app"), max_length=16, default="contacts")
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("notes"), blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=64, blank=True)
    source_type = models.CharField(max_length=64, blank=True)  # app_label.model of the origin
    source_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # The consumers' cursor (warehouse, webhooks): drawn from the workspace's ChangeSequence
    # by interaction_record, like ChangeEvent.seq; read with touchpoints.selectors.interactions_after.
    seq = models.BigIntegerField(editable=False)
    # Touch points from other systems (API ingestion): the sending system and its own id of
    # the event; one event is recorded once however often it is sent.
    source_system = models.CharField(max_length=50, blank=True, default="", db_default="")
    source_event_id = models.CharField(max_length=200, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "seq"], name="interaction_ws_seq_uniq"),
            models.UniqueConstraint(
                fields=["workspace", "source_system", "source_event_id"],
                condition=~models.Q(source_event_id=""),
                name="interaction_ws_source_event_uniq",
            ),
        ]
        indexes = [
            models.Index(
                fields=["workspace", "contact", "-occurred_at", "-id"],
                name="interaction_contact_tl",
            ),
            models.Index(
                fields=["workspace", "account", "-occurred_at", "-id"],
                name="interaction_account_tl",
            ),
            models.Index(fields=["workspace", "source_type", "source_id"], name="interaction_src"),
            models.Index(fields=["workspace", "-occurred_at", "-id"], name="interaction_ws_time"),
        ]
        verbose_name = _("interaction")

    def __str__(self):
        return f"{self.get_channel_display()}: {self.subject or self.kind}"

    def get_app_display(self):
        return dict(timeline_app_choices()).get(self.app, self.app)

    @property
    def kind_label(self):
        return interaction_kind_label(self.kind)

    @property
    def channel_group(self):
        return CHANNEL_GROUP.get(self.channel)
