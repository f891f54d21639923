"""Activities (calls, meetings, emails, to-dos) and per-user calendar feeds."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.mail_headers import validate_single_line
from workspaces.models import WorkspaceOwned


class ActivityType(models.TextChoices):
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("Email")
    TODO = "todo", _("To-do")


class Activity(WorkspaceOwned):
    type = models.CharField(
        _("type"), max_length=8, choices=ActivityType.choices, default=ActivityType.TODO
    )
    # The subject goes into the reminder's mail subject: one line only.
    subject = models.CharField(_("subject"), max_length=200, validators=[validate_single_line])
    notes = models.TextField(_("notes"), blank=True)
    due_at = models.DateTimeField(_("due"))
    # Seconds, like every duration in code (Interaction.duration_seconds); forms show minutes.
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("contact"),
    )
    deal = models.ForeignKey(
        "sales.Deal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("deal"),
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    reminder_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    # A reminder whose email failed is tried again by the next run, and given up (failed_at
    # set, the error kept) after REMINDER_MAX_ATTEMPTS; the other reminders go out meanwhile.
    reminder_attempts = models.PositiveSmallIntegerField(_("reminder attempts"), default=0)
    reminder_failed_at = models.DateTimeField(_("reminder failed at"), null=True, blank=True)
    reminder_error = models.CharField(_("reminder error"), max_length=300, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["workspace", "owner", "done_at", "due_at", "id"],
                name="activity_ws_owner_due",
            ),
            models.Index(fields=["workspace", "due_at", "id"], name="activity_ws_due"),
            models.Index(fields=["workspace", "contact", "done_at"], name="activity_ws_contact"),
            models.Index(fields=["workspace", "deal", "due_at"], name="activity_ws_deal"),
            models.Index(
                fields=["workspace", "reminder_at"],
                name="activity_ws_reminder",
                condition=models.Q(reminder_sent_at__isnull=True, done_at__isnull=True),
            ),
        ]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self):
        return self.subject

    @property
    def is_done(self):
        return self.done_at is not None


def new_feed_token():
    return secrets.token_urlsafe(32)


class CalendarFeed(WorkspaceOwned):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    token = models.CharField(max_length=64, default=new_feed_token)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="calendarfeed_unique_user"),
            models.UniqueConstraint(
                fields=["workspace", "token"], name="calendarfeed_unique_token"
            ),
        ]
        verbose_name = _("calendar feed")

    def __str__(self):
        return f"{self.user} @ {self.workspace_id}"
