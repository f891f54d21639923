"""Template helpers of the sales pages."""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def record_url(context, name, pk):
    """A workspace URL of another app's record page, or "" while that page does not exist."""
    workspace = context.get("workspace") or context["request"].workspace
    try:
        return reverse(name, kwargs={"ws": workspace.slug, "pk": pk})
    except NoReverseMatch:
        return ""


@register.filter
def percent_of(value, total):
    try:
        return round(100 * float(value) / float(total)) if total else 0
    except (TypeError, ValueError):
        return 0
