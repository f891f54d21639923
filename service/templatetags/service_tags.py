"""Template filters of the service pages."""

import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def sanitised_html(value: str) -> str:
    """A message's HTML cleaned once more as it is shown (nh3: no scripts, event handlers,
    styles or javascript: links), whatever path stored it."""
    return mark_safe(nh3.clean(value or "", link_rel="noopener noreferrer nofollow"))  # noqa: S308 - cleaned by nh3 just now
