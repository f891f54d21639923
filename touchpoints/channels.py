"""The channel taxonomy of touch points, grouped as DESIGN.md §5 classifies them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelGroup(models.TextChoices):
    FACE_TO_FACE = "face_to_face", _("Face to face")
    DATABASE = "database", _("Database-driven")
    MASS_MEDIA = "mass_media", _("Mass media")
    INTERNAL = "internal", _("Internal")


class Channel(models.TextChoices):
    # face to face
    SALES_VISIT = "sales_visit", _("Sales visit")
    SERVICE_VISIT = "service_visit", _("Service visit")
    MEETING = "meeting", _("Meeting")
    EVENT = "event", _("Event")
    STORE = "store", _("Store")
    PROMOTION = "promotion", _("Promotion")
    # database-driven
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    MAIL = "mail", _("Letter")
    SMS = "sms", _("SMS")
    FAX = "fax", _("Fax")
    CHAT = "chat", _("Chat")
    LOYALTY = "loyalty", _("Loyalty programme")
    # mass media
    ADVERTISING = "advertising", _("Advertising")
    PR = "pr", _("Public relations")
    WEBSITE = "website", _("Website")
    # internal (notes, system changes)
    NOTE = "note", _("Note")
    SYSTEM = "system", _("System")


CHANNEL_GROUP = {
    Channel.SALES_VISIT: ChannelGroup.FACE_TO_FACE,
    Channel.SERVICE_VISIT: ChannelGroup.FACE_TO_FACE,
    Channel.MEETING: ChannelGroup.FACE_TO_FACE,
    Channel.EVENT: ChannelGroup.FACE_TO_FACE,
    Channel.STORE: ChannelGroup.FACE_TO_FACE,
    Channel.PROMOTION: ChannelGroup.FACE_TO_FACE,
    Channel.PHONE: ChannelGroup.DATABASE,
    Channel.EMAIL: ChannelGroup.DATABASE,
    Channel.MAIL: ChannelGroup.DATABASE,
    Channel.SMS: ChannelGroup.DATABASE,
    Channel.FAX: ChannelGroup.DATABASE,
    Channel.CHAT: ChannelGroup.DATABASE,
    Channel.LOYALTY: ChannelGroup.DATABASE,
    Channel.ADVERTISING: ChannelGroup.MASS_MEDIA,
    Channel.PR: ChannelGroup.MASS_MEDIA,
    Channel.WEBSITE: ChannelGroup.MASS_MEDIA,
    Channel.NOTE: ChannelGroup.INTERNAL,
    Channel.SYSTEM: ChannelGroup.INTERNAL,
}


def channels_in(group: str) -> list[str]:
    return [c for c, g in CHANNEL_GROUP.items() if g == group]
