"""Template helpers shared by every app: workspace URLs, money, moments, permissions, query
strings."""

import datetime
import functools
from decimal import Decimal, InvalidOperation

from django import template
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language

from ..money import MoneyFigure, format_money
from ..roles import has_perm

register = template.Library()


_MARKER_BASE = 7_190_000_000_000_000_000  # ids never reach it; 19 digits, unmistakable in a URL


@functools.lru_cache(maxsize=2048)
def _url_pieces(name, slug, keys, prefix, urlconf, language):
    """The URL `name` in workspace `slug` cut around its integer arguments `keys`: (pieces,
    order) so that pieces[0] + str(kwargs[keys[order[0]]]) + pieces[1] + … + pieces[-1] is
    what `reverse` gives, or None when the URL cannot be cut so (no such URL for integers,
    an argument not appearing exactly once). `prefix`, `urlconf` and `language` are the
    script prefix, URL configuration and active language `reverse` depends on (part of the
    cache key only)."""
    markers = [str(_MARKER_BASE + i) for i in range(len(keys))]
    try:
        url = reverse(
            name,
            kwargs={"ws": slug, **{k: int(m) for k, m in zip(keys, markers, strict=True)}},
            urlconf=urlconf,
        )
    except NoReverseMatch:
        return None
    if any(url.count(m) != 1 for m in markers):
        return None
    order = sorted(range(len(keys)), key=lambda i: url.index(markers[i]))
    pieces, rest = [], url
    for i in order:
        before, rest = rest.split(markers[i], 1)
        pieces.append(before)
    pieces.append(rest)
    return tuple(pieces), tuple(order)


def _ws_reverse(name, slug, kwargs):
    """reverse(name, kwargs={"ws": slug, **kwargs}); for non-negative integer arguments (ids:
    the rows of a list) from a URL cut once per URL name, workspace and language: `reverse`
    walks the URL patterns on every call, 50 rows with two links each cost a list page
    about a tenth of its rendering."""
    if kwargs and all(type(v) is int and v >= 0 for v in kwargs.values()):
        keys = tuple(kwargs)
        cut = _url_pieces(name, slug, keys, get_script_prefix(), get_urlconf(), get_language())
        if cut is not None:
            pieces, order = cut
            parts = [pieces[0]]
            for position, i in enumerate(order, start=1):
                parts.append(str(kwargs[keys[i]]))
                parts.append(pieces[position])
            return "".join(parts)
    return reverse(name, kwargs={"ws": slug, **kwargs})


@register.simple_tag(takes_context=True)
def wsurl(context, name, *args, **kwargs):
    """{% wsurl 'contacts:detail' pk=c.pk %}: a URL in the current workspace."""
    workspace = context.get("workspace") or context["request"].workspace
    return (
        _ws_reverse(name, workspace.slug, kwargs)
        if not args
        else reverse(name, args=[workspace.slug, *args])
    )


@register.simple_tag(takes_context=True)
def can(context, perm):
    """{% can 'sales.delete' as may_delete %}"""
    membership = context.get("membership") or getattr(context.get("request"), "membership", None)
    return has_perm(getattr(membership, "role", None), perm)


@register.filter
def web_link(value) -> str:
    """`value` when it is an http(s) address a link may point to, else "" (a javascript: or
    data: address stored by any route other than the validated forms never becomes an href):
    {% if account.website|web_link %}<a href="{{ account.website|web_link }}">…"""
    text = str(value or "").strip()
    scheme = text.split(":", 1)[0].lower() if ":" in text else ""
    return text if scheme in ("http", "https") else ""


@register.filter
def money(value, currency=""):
    """An amount in its currency for the active language, rounded to the currency's minor
    unit (workspaces.money.format_money): {{ deal.amount|money:deal.currency }} is
    "1.234,50 €" in German, "€1,234.50" in English, "¥152,000" for yen. A MoneyFigure (a sum
    that may hold several currencies) is shown per currency or converted with its rates named
    ({{ column.total|money }}, see `money_figure_html`). Without a currency: the number alone."""
    if value is None or value == "":
        return ""
    if isinstance(value, MoneyFigure):
        return money_figure_html(value)
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    if not amount.is_finite():
        return value
    return format_money(amount, currency)


def money_figure_html(figure: MoneyFigure, testid: str = ""):
    """The markup of a MoneyFigure: the amount, or the amounts per currency joined by " · ",
    or "≈ total" with "at rates of …" and each currency without a rate beside it ("(no
    rate)"); the amounts per currency and the rates used are in the title (tooltip)."""
    note = ""
    if figure.converted:
        note = format_html(
            ' <small class="money-rates text-body-secondary">{}</small>{}',
            figure.rate_note(),
            format_html_join(
                "",
                ' · <span class="money-no-rate text-warning-emphasis">{}</span>',
                ((text,) for text in figure.unconverted_texts()),
            ),
        )
    return format_html(
        '<span class="money-figure" data-currencies="{}"{}{}>{}{}</span>',
        " ".join(code for code, _amount in figure.parts),
        format_html(' data-testid="{}"', testid) if testid else "",
        format_html(' title="{}"', figure.detail()) if not figure.single else "",
        figure.main_text(),
        note,
    )


@register.simple_tag
def money_figure(figure, testid=""):
    """{% money_figure result.weighted_total "weighted-total" %}: `money_figure_html` with a
    data-testid."""
    return money_figure_html(figure, testid)


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
