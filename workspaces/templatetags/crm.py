"""Template helpers shared by every app: workspace URLs, money, permissions, query strings."""

from decimal import Decimal, InvalidOperation

from django import template
from django.urls import reverse
from django.utils.formats import number_format

from ..roles import has_perm

register = template.Library()


@register.simple_tag(takes_context=True)
def wsurl(context, name, *args, **kwargs):
    """{% wsurl 'contacts:detail' pk=c.pk %}: a URL in the current workspace."""
    workspace = context.get("workspace") or context["request"].workspace
    return (
        reverse(name, kwargs={"ws": workspace.slug, **kwargs})
        if not args
        else reverse(name, args=[workspace.slug, *args])
    )


@register.simple_tag(takes_context=True)
def can(context, perm):
    """{% can 'sales.delete' as may_delete %}"""
    membership = context.get("membership") or getattr(context.get("request"), "membership", None)
    return has_perm(getattr(membership, "role", None), perm)


@register.filter
def money(value, currency=""):
    """A localised amount with its currency: 1.234,50 EUR in German, 1,234.50 EUR in English."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    return f"{number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)} {currency}".strip()


@register.simple_tag(takes_context=True)
def querystring_with(context, **kwargs):
    """The current query string with some parameters replaced (None removes one)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


NOT_FILTERS = frozenset({"cursor", "sort", "page"})


@register.simple_tag(takes_context=True)
def active_filter_count(context) -> int:
    """How many list filters the request sets (non-empty query parameters other than the
    paging cursor and the sort): the badge on a phone's "Filters" button."""
    request = context.get("request")
    if request is None:
        return 0
    return sum(
        1
        for key in request.GET
        if key not in NOT_FILTERS and any(v.strip() for v in request.GET.getlist(key))
    )
