"""Calls of the call centre and the telephony events they are rebuilt from.

A `Call` is one inbound or outbound phone call: either logged by hand (provider "manual") or
rebuilt from the `CallEvent` rows a phone system posts to the telephony endpoint (see
callcentre.services.events). Times are aware datetimes; durations are whole seconds.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


class CallDirection(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class CallStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")  # in the IVR or a queue
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")  # talking
    ON_HOLD = "on_hold", _("On hold")
    ENDED = "ended", _("Ended")  # answered, then ended
    ABANDONED = "abandoned", _("Abandoned")  # the caller hung up before an answer
    INCOMPLETE = "incomplete", _("Incomplete")  # no end event before the timeout


OPEN_STATUSES = (
    CallStatus.OFFERED,
    CallStatus.RINGING,
    CallStatus.ANSWERED,
    CallStatus.ON_HOLD,
)


class CallbackStatus(models.TextChoices):
    NONE = "", _("No call-back")
    PENDING = "pending", _("Call back")
    DONE = "done", _("Called back")
    DISMISSED = "dismissed", _("Dismissed")


class Call(WorkspaceOwned):
    """One phone call. `offered_at` is when it arrived or was dialled (KPI intervals are taken
    from it); `queued_at` is null for calls that never reached a queue (an IVR-only call is
    never a queue abandon). `wait_seconds` runs from `queued_at` to `answered_at` or
    `abandoned_at`."""

    direction = models.CharField(
        _("direction"),
        max_length=8,
        choices=CallDirection.choices,
        default=CallDirection.INBOUND,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CallStatus.choices, default=CallStatus.OFFERED
    )
    provider = models.CharField(_("provider"), max_length=32, default="manual")
    provider_call_id = models.CharField(_("call id at the provider"), max_length=128, blank=True)
    queue = models.ForeignKey(
        "service.Queue",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("queue"),
    )
    queue_ref = models.CharField(_("queue as sent"), max_length=128, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
    )
    agent_ref = models.CharField(_("agent as sent"), max_length=128, blank=True)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    caller_number = models.CharField(_("caller number"), max_length=32, blank=True)
    called_number = models.CharField(_("called number"), max_length=32, blank=True)
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        # named (not "+") so a contact merge moves the calls to the survivor
        related_name="calls",
        verbose_name=_("contact"),
    )
    case = models.ForeignKey(
        "service.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case"),
    )
    offered_at = models.DateTimeField(_("offered"))
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    abandoned_at = models.DateTimeField(_("abandoned"), null=True, blank=True)
    wait_seconds = models.PositiveIntegerField(_("wait (seconds)"), null=True, blank=True)
    talk_seconds = models.PositiveIntegerField(_("talk (seconds)"), default=0)
    hold_seconds = models.PositiveIntegerField(_("hold (seconds)"), default=0)
    wrap_seconds = models.PositiveIntegerField(_("wrap-up (seconds)"), default=0)
    transfers = models.PositiveSmallIntegerField(_("transfers"), default=0)
    disposition = models.CharField(_("disposition"), max_length=64, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    callback_status = models.CharField(
        _("call-back"), max_length=12, choices=CallbackStatus.choices, blank=True, default=""
    )
    # the agent whose screen shows the caller now (named by the last offered/ringing/answered
    # event of an open call; the screen pop polls for it)
    pop_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shown to"),
    )
    # set once the call's touch point is on the timeline (it is recorded once per call)
    recorded_at = models.DateTimeField(_("on the timeline since"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logged by"),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "provider", "provider_call_id"],
                condition=~models.Q(provider_call_id=""),
                name="call_unique_provider_id",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "offered_at"], name="call_ws_offered"),
            models.Index(fields=["workspace", "queue", "offered_at"], name="call_ws_queue"),
            models.Index(fields=["workspace", "agent", "offered_at"], name="call_ws_agent"),
            models.Index(
                fields=["workspace", "caller_number", "offered_at"], name="call_ws_caller"
            ),
            models.Index(
                fields=["workspace", "callback_status", "offered_at"], name="call_ws_callback"
            ),
            models.Index(fields=["workspace", "status", "offered_at"], name="call_ws_status"),
            models.Index(fields=["workspace", "pop_agent", "status"], name="call_ws_pop"),
        ]
        verbose_name = _("call")
        verbose_name_plural = _("calls")

    def __str__(self):
        number = (
            self.caller_number if self.direction == CallDirection.INBOUND else self.called_number
        )
        return f"{self.get_direction_display()} {number or '?'} {self.offered_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CallEventKind(models.TextChoices):
    OFFERED = "offered", _("Offered")
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")
    HOLD = "hold", _("Hold")
    RESUME = "resume", _("Resume")
    TRANSFERRED = "transferred", _("Transferred")
    ENDED = "ended", _("Ended")
    ABANDONED = "abandoned", _("Abandoned")
    WRAPPED = "wrapped", _("Wrap-up ended")


class CallEvent(WorkspaceOwned):
    """One event a phone system posted about a call, kept as sent. The pair (provider, call id,
    event, at) is unique per workspace: a second delivery of the same event is a no-op, and the
    call's fields are rebuilt from all its events in time order."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    provider = models.CharField(max_length=32)
    provider_call_id = models.CharField(max_length=128)
    event = models.CharField(max_length=12, choices=CallEventKind.choices)
    at = models.DateTimeField()
    queue_ref = models.CharField(max_length=128, blank=True)
    agent_ref = models.CharField(max_length=128, blank=True)
    from_number = models.CharField(max_length=64, blank=True)
    to_number = models.CharField(max_length=64, blank=True)
    disposition = models.CharField(max_length=64, blank=True)
    direction = models.CharField(max_length=8, blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "provider", "provider_call_id", "event", "at"],
                name="callevent_unique_event",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "call", "at"], name="callevent_ws_call")]
        verbose_name = _("call event")
        verbose_name_plural = _("call events")

    def __str__(self):
        return f"{self.provider}:{self.provider_call_id} {self.event} {self.at:%H:%M:%S}"
