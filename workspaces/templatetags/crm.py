"""Template helpers shared by every app: workspace URLs, money, moments, permissions, query
strings."""

import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format, number_format

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


@register.filter
def when(value, format_name="SHORT_DATETIME_FORMAT"):
    """A moment as people read it: in the active time zone (the workspace's; the middleware
    activates it) and the locale's short date-and-time format ("03/01/2026 10:15 a.m.",
    "01.03.2026 10:15"). Takes an aware datetime or an ISO 8601 text as JSON fields keep
    them (a naive one counts as UTC); anything else is shown unchanged, "" for nothing."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        parsed = parse_datetime(value.strip())
        if parsed is None:
            return value
        value = parsed
    if not isinstance(value, datetime.datetime):
        return value
    if timezone.is_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    return date_format(timezone.localtime(value), format_name)


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
