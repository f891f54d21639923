"""The score of each contact, and the workspace's scoring settings and cursor."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


class ContactScore(WorkspaceOwned):
    """A contact's current score: `fit` (sum of fit points, no decay), `engagement` (sum of
    engagement points, each halved every half-life since it happened; rounded to a whole
    number) and `total` = fit + engagement. `above_threshold` says where the last computation
    left it; `threshold_crossed_at` is the last upward crossing. A contact without a row has
    a score of 0. Derived, so not in the change log."""

    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    fit = models.IntegerField(_("fit"), default=0)
    engagement = models.IntegerField(_("engagement"), default=0)
    total = models.IntegerField(_("total"), default=0)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    above_threshold = models.BooleanField(default=False)
    threshold_crossed_at = models.DateTimeField(_("threshold crossed at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "contact"], name="contactscore_unique")
        ]
        indexes = [
            models.Index(fields=["workspace", "total"], name="contactscore_ws_total"),
            models.Index(fields=["workspace", "fit"], name="contactscore_ws_fit"),
            models.Index(fields=["workspace", "engagement"], name="contactscore_ws_engagement"),
        ]

    def __str__(self):
        return f"{self.total} ({self.fit} + {self.engagement})"


class ScoringSettings(WorkspaceOwned):
    """One row per workspace (made on the first save of the settings page; until then the
    defaults below apply)."""

    DEFAULT_HALF_LIFE_DAYS = 30
    DEFAULT_THRESHOLD = 50

    half_life_days = models.PositiveIntegerField(
        _("engagement half-life (days)"),
        default=DEFAULT_HALF_LIFE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Engagement points count half after this many days, a quarter after twice."),
    )
    threshold = models.IntegerField(
        _("threshold"),
        null=True,
        blank=True,
        default=DEFAULT_THRESHOLD,
        validators=[MinValueValidator(-1_000_000), MaxValueValidator(1_000_000)],
        help_text=_("A total score reaching it is noted on the timeline. Empty: no threshold."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner on crossing"),
        help_text=_("Given to contacts without an owner when they reach the threshold."),
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="scoringsettings_unique")]

    def __str__(self):
        return str(_("Scoring settings"))


class ScoringCursor(WorkspaceOwned):
    """How far scoring has read the workspace's history (`interaction_seq`, touch points by
    touchpoints.selectors.interactions_after) and change log (`change_seq`, contacts and
    accounts whose fields changed). Locked by every scoring run of the workspace, so runs of
    one workspace never overlap. Operational: not in the change log."""

    interaction_seq = models.BigIntegerField(default=0)
    change_seq = models.BigIntegerField(default=0)
    decayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="scoringcursor_unique")]

    def __str__(self):
        return f"{self.interaction_seq}/{self.change_seq}"
