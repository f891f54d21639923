"""Pipelines, stages, deals and their stage history."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import CURRENCIES, WorkspaceOwned
from workspaces.money import round_money, validate_minor_unit


class Pipeline(WorkspaceOwned):
    name = models.CharField(_("name"), max_length=100)
    is_default = models.BooleanField(_("default"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="pipeline_unique_name"),
        ]
        indexes = [models.Index(fields=["workspace", "position", "id"], name="pipeline_ws_pos")]
        verbose_name = _("pipeline")

    def __str__(self):
        return self.name


class StageKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Stage(WorkspaceOwned):
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.CASCADE, related_name="stages", verbose_name=_("pipeline")
    )
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("win probability (%)"),
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    kind = models.CharField(
        _("kind"), max_length=8, choices=StageKind.choices, default=StageKind.OPEN
    )

    class Meta:
        ordering = ["pipeline", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "pipeline", "name"], name="stage_unique_name"
            ),
            models.CheckConstraint(
                condition=models.Q(probability__lte=100), name="stage_probability_max_100"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "pipeline", "position", "id"], name="stage_ws_pos"),
        ]
        verbose_name = _("stage")

    def __str__(self):
        return self.name

    @property
    def is_closed(self):
        return self.kind != StageKind.OPEN


class LostReason(WorkspaceOwned):
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="lostreason_unique_name"),
        ]
        verbose_name = _("lost reason")

    def __str__(self):
        return self.name


class Deal(WorkspaceOwned):
    name = models.CharField(_("name"), max_length=200)
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.PROTECT, related_name="deals", verbose_name=_("pipeline")
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="deals", verbose_name=_("stage")
    )
    account = models.ForeignKey(
        "contacts.Account",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deals",
        verbose_name=_("account"),
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deals",
        verbose_name=_("contact"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default="EUR")
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    source_lead = models.ForeignKey(
        "sales.Lead",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deals",
        verbose_name=_("source lead"),
    )
    source_campaign_id = models.BigIntegerField(_("source campaign"), null=True, blank=True)
    lost_reason = models.ForeignKey(
        LostReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deals",
        verbose_name=_("lost reason"),
    )
    competitor = models.CharField(_("competitor"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    won_at = models.DateTimeField(_("won at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="deal_amount_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="deal_ws_created"),
            models.Index(
                fields=["workspace", "pipeline", "stage", "-amount", "id"], name="deal_ws_board"
            ),
            models.Index(fields=["workspace", "owner", "-created_at", "-id"], name="deal_ws_owner"),
            models.Index(fields=["workspace", "stage", "-created_at", "-id"], name="deal_ws_stage"),
            models.Index(fields=["workspace", "expected_close_date", "id"], name="deal_ws_close"),
            models.Index(fields=["workspace", "contact"], name="deal_ws_contact"),
            models.Index(fields=["workspace", "account"], name="deal_ws_account"),
            models.Index(fields=["workspace", "closed_at"], name="deal_ws_closed"),
        ]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")

    def __str__(self):
        return self.name

    @property
    def is_open(self):
        return self.closed_at is None

    @property
    def is_won(self):
        return self.won_at is not None

    @property
    def weighted_amount(self):
        """amount × the stage's win probability, rounded half up to the currency's minor unit."""
        return round_money(self.amount * self.stage.probability / Decimal(100), self.currency)

    def clean(self):
        # an amount has no more decimals than its currency: no yen cents
        if self.amount is not None and self.currency:
            validate_minor_unit(self.amount, self.currency, field="amount")


class DealStageChange(WorkspaceOwned):
    """One row per stage change of a deal (the stage history); the first row has no from_stage."""

    deal = models.ForeignKey(
        Deal, on_delete=models.CASCADE, related_name="stage_changes", verbose_name=_("deal")
    )
    from_stage = models.ForeignKey(
        Stage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from stage"),
    )
    to_stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="+", verbose_name=_("to stage")
    )
    changed_at = models.DateTimeField(_("changed at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    amount = models.DecimalField(_("amount at the time"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [
            models.Index(fields=["workspace", "deal", "changed_at", "id"], name="dsc_ws_deal"),
            models.Index(fields=["workspace", "changed_at", "id"], name="dsc_ws_time"),
            models.Index(fields=["workspace", "to_stage", "changed_at"], name="dsc_ws_to"),
        ]
        verbose_name = _("stage change")

    def __str__(self):
        return f"{self.deal_id}: {self.from_stage_id} → {self.to_stage_id}"
