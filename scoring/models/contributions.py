"""Every contribution to a contact's score, kept with its reason."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned

from .rules import Category


class Contribution(WorkspaceOwned):
    """Points one rule gave one contact: an event rule once per touch point (`interaction`),
    a field rule once while the contact matches (`interaction` empty; removed when the contact
    no longer matches or the rule goes). `category` is the rule's at the time of giving;
    `occurred_at` is when the touch point happened (or when the contact first matched), from
    which engagement decays. Derived from the history and the rules, so it is not recorded in
    the change log."""

    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="score_contributions"
    )
    rule = models.ForeignKey(
        "scoring.ScoringRule", on_delete=models.CASCADE, related_name="contributions"
    )
    interaction = models.ForeignKey(
        "touchpoints.Interaction",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    points = models.IntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=300)
    occurred_at = models.DateTimeField(_("when"))
    # 0 for a field rule's row, the touch point's id for an event rule's: (rule, contact,
    # slot) is unique without a condition, so a contact merge (which moves rows generically
    # and drops the loser's rows that clash on unconditional unique constraints) keeps one
    # row per field rule.
    slot = models.BigIntegerField(default=0, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "rule", "interaction"],
                condition=Q(interaction__isnull=False),
                name="contribution_unique_event",
            ),
            models.UniqueConstraint(
                fields=["workspace", "rule", "contact", "slot"], name="contribution_unique_slot"
            ),
        ]
        indexes = [
            models.Index(
                fields=["workspace", "contact", "-occurred_at", "-id"],
                name="contribution_ws_contact",
            ),
            models.Index(
                fields=["workspace", "category", "occurred_at"], name="contribution_ws_time"
            ),
        ]

    def __str__(self):
        return f"{self.points:+d} {self.reason}"
