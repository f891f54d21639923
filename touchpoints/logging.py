"""Touch points people log by hand: the types on the "log a touch point" form and how each
maps to a channel and a kind of the history."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from .channels import Channel
from .models import Direction


class LogType(models.TextChoices):
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    VISIT = "visit", _("Visit")
    LETTER = "letter", _("Letter")
    FAX = "fax", _("Fax")
    SMS = "sms", _("SMS")
    CHAT = "chat", _("Chat")
    STORE_VISIT = "store_visit", _("Store visit")
    EVENT = "event", _("Event attendance")
    NOTE = "note", _("Note")


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    VOICEMAIL = "voicemail", _("Voicemail")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


@dataclass(frozen=True)
class LogSpec:
    channel: str
    kind: str
    default_direction: str


LOG_TYPES: dict[str, LogSpec] = {
    LogType.CALL: LogSpec(Channel.PHONE, "call.logged", Direction.OUTBOUND),
    LogType.MEETING: LogSpec(Channel.MEETING, "meeting.logged", Direction.OUTBOUND),
    LogType.VISIT: LogSpec(Channel.SALES_VISIT, "visit.logged", Direction.OUTBOUND),
    LogType.LETTER: LogSpec(Channel.MAIL, "letter.logged", Direction.OUTBOUND),
    LogType.FAX: LogSpec(Channel.FAX, "fax.logged", Direction.OUTBOUND),
    LogType.SMS: LogSpec(Channel.SMS, "sms.logged", Direction.OUTBOUND),
    LogType.CHAT: LogSpec(Channel.CHAT, "chat.logged", Direction.INBOUND),
    LogType.STORE_VISIT: LogSpec(Channel.STORE, "store_visit.logged", Direction.INBOUND),
    LogType.EVENT: LogSpec(Channel.EVENT, "event.attended", Direction.INBOUND),
    LogType.NOTE: LogSpec(Channel.NOTE, "note.added", Direction.INTERNAL),
}
