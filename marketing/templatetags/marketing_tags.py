"""Template filters of the marketing pages."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value, places=2):
    """A rate in per cent as "12.35 %" in the active locale; "–" for None (no denominator)."""
    if value is None or value == "":
        return "–"
    return f"{number_format(value, int(places), use_l10n=True)} %"
