"""Display helpers of the customer history: call outcomes and durations as people read them."""

from django import template
from django.utils.translation import gettext as _

from ..logging import CallOutcome

register = template.Library()


@register.filter
def outcome_label(value: str) -> str:
    """ "no_answer" -> "No answer" (other apps' outcomes are shown as they are)."""
    try:
        return CallOutcome(value).label
    except ValueError:
        return value.replace("_", " ").capitalize() if value else ""


@register.filter
def duration(seconds) -> str:
    """125 -> "2:05 min"; 3700 -> "1 h 1 min"."""
    if seconds in (None, ""):
        return ""
    seconds = int(seconds)
    if seconds >= 3600:
        return _("%(h)d h %(m)d min") % {"h": seconds // 3600, "m": seconds % 3600 // 60}
    return _("%(m)d:%(s)02d min") % {"m": seconds // 60, "s": seconds % 60}


@register.filter
def kind_label(value: str) -> str:
    """A readable fallback title for a touch point without subject: "email.opened" ->
    "Email opened"."""
    return (value or "").replace(".", " ").replace("_", " ").capitalize()
