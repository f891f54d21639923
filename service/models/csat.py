"""Satisfaction surveys (CSAT) sent when a case is resolved, the workspace's survey rules, and
the follow-up task a low score opens for the case's agent."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned

SCORE_MIN, SCORE_MAX = 1, 5
LOW_SCORE_MAX = 2  # a score of 1 or 2 flags the case for follow-up


class SurveySettings(WorkspaceOwned):
    """The workspace's survey rules; one row per workspace, made on first use with the defaults."""

    enabled = models.BooleanField(_("send surveys"), default=True)
    # At most one survey per contact within this many days (a customer with three cases
    # resolved in one week is asked once).
    min_days_between = models.PositiveSmallIntegerField(
        _("days between two surveys to one contact"),
        default=7,
        validators=[MaxValueValidator(365)],
    )
    # One reminder this many days after sending, when the survey is still unanswered; 0: none.
    reminder_after_days = models.PositiveSmallIntegerField(
        _("remind after (days)"), default=3, validators=[MaxValueValidator(60)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="surveysettings_unique_workspace")
        ]
        verbose_name = _("survey settings")
        verbose_name_plural = _("survey settings")

    def __str__(self):
        return str(_("Survey settings"))


class CsatSurvey(WorkspaceOwned):
    """One satisfaction survey of one resolved case. The customer answers through a signed
    link (no login), once: `answered_at` is set by a conditional UPDATE. `agent` and `queue`
    are the case's at resolution, so results per agent stay true after a reassignment."""

    case = models.ForeignKey(
        "service.Case", on_delete=models.CASCADE, related_name="surveys", verbose_name=_("case")
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        related_name="csat_surveys",
        verbose_name=_("contact"),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
    )
    queue = models.ForeignKey(
        "service.Queue",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("queue"),
    )
    email = models.EmailField(_("sent to"))
    sent_at = models.DateTimeField(_("sent"))
    # set by the mail task's claim (UPDATE … WHERE mailed_at IS NULL): a retry never mails twice
    mailed_at = models.DateTimeField(_("mailed"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(
        _("score"),
        null=True,
        blank=True,
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)],
    )
    comment = models.TextField(_("comment"), blank=True, max_length=4000)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "contact", "sent_at"], name="csat_ws_contact_sent"),
            models.Index(fields=["workspace", "sent_at"], name="csat_ws_sent"),
            models.Index(fields=["workspace", "case"], name="csat_ws_case"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True)
                | models.Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX),
                name="csat_score_1_to_5",
            )
        ]
        ordering = ["-sent_at", "-id"]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")

    def __str__(self):
        return _("Survey of case %(case)s") % {"case": self.case_id}

    @property
    def is_low(self) -> bool:
        return self.score is not None and self.score <= LOW_SCORE_MAX


class TaskReason(models.TextChoices):
    LOW_CSAT = "low_csat", _("Low satisfaction score")
    OTHER = "other", _("Other")


class CaseTask(WorkspaceOwned):
    """A to-do of a service agent about a case (e.g. call back the customer who answered a
    survey with 1 or 2). Kept in service: the sales activities are a higher app's."""

    case = models.ForeignKey(
        "service.Case", on_delete=models.CASCADE, related_name="tasks", verbose_name=_("case")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    title = models.CharField(_("title"), max_length=200)
    reason = models.CharField(
        _("reason"), max_length=16, choices=TaskReason.choices, default=TaskReason.OTHER
    )
    survey = models.ForeignKey(
        CsatSurvey,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("survey"),
    )
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "assignee", "done_at"], name="casetask_ws_assignee"),
            models.Index(fields=["workspace", "case"], name="casetask_ws_case"),
        ]
        ordering = ["due_at", "id"]
        verbose_name = _("case task")
        verbose_name_plural = _("case tasks")

    def __str__(self):
        return self.title
