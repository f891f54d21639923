"""Display helpers of the customer history: call outcomes and durations as people read them."""

from django import template
from django.utils.translation import gettext as _

from ..logging import CallOutcome
from ..registry import interaction_kind_label

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
    """The registered label of a kind of touch point (touchpoints.registry), the title of a
    touch point without subject; an unregistered "email.opened" reads "Email opened"."""
    return interaction_kind_label(value)
