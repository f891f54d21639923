"""Template helpers of the sales pages."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format, localize
from django.utils.html import format_html
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, ngettext

from workspaces.templatetags.crm import _ws_reverse, money

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


@register.simple_tag(takes_context=True)
def board_card(context, deal):
    """The card of `deal` on the deal board (read by sales.selectors.deals.board: owner,
    account, `days_in_stage`, `next_activity_*`): its name linking to the deal, account,
    amount, expected close, owner, next activity (overdue marked) and days in stage, with the
    data the board's script moves it by. Built in Python, not as an included template: the
    board renders up to 50 cards a column, and an include per card was most of its rendering
    time."""
    workspace = context.get("workspace") or context["request"].workspace
    if deal.next_activity_due:
        due = date_format(template_localtime(deal.next_activity_due), "SHORT_DATE_FORMAT")
        overdue = deal.next_activity_overdue
        next_activity = format_html(
            '<div class="text-truncate{}" data-overdue="{}">{}: {}</div>'
            '<div class="text-truncate" title="{}">{}</div>',
            " overdue" if overdue else "",
            "1" if overdue else "0",
            gettext("Overdue") if overdue else gettext("Next"),
            due,
            deal.next_activity_subject,
            deal.next_activity_subject,
        )
    else:
        next_activity = format_html(
            '<span class="text-warning-emphasis">{}</span>', gettext("No activity planned")
        )
    owner = (
        deal.owner
        if deal.owner
        else format_html('<span class="fst-italic">{}</span>', gettext("Unassigned"))
    )
    account = (
        format_html('<div class="small text-body-secondary text-truncate">{}</div>', deal.account)
        if deal.account
        else ""
    )
    close = (
        date_format(deal.expected_close_date, "SHORT_DATE_FORMAT")
        if deal.expected_close_date
        else ""
    )
    days = ngettext("%(days)s day in stage", "%(days)s days in stage", deal.days_in_stage) % {
        "days": localize(deal.days_in_stage)
    }
    return format_html(
        '<article class="card card-body p-2 shadow-sm kanban-card" data-deal="{pk}"'
        ' data-version="{version}" data-amount="{amount}" data-move="{move}" data-name="{name}">\n'
        '  <a class="fw-semibold small stretched-link text-decoration-none kanban-card-title"'
        ' href="{detail}">{name}</a>\n'
        "  {account}\n"
        '  <div class="d-flex justify-content-between flex-wrap column-gap-2 small">'
        "<span>{money}</span><span>{close}</span></div>\n"
        '  <div class="kanban-card-facts small text-body-secondary">\n'
        '    <div class="text-truncate" data-testid="card-owner" title="{owner_title}">'
        "{owner}</div>\n"
        '    <div data-testid="card-next-activity">{next_activity}</div>\n'
        '    <div data-testid="card-days-in-stage">{days}</div>\n'
        "  </div>\n"
        "</article>\n",
        pk=deal.pk,
        version=deal.version,
        amount=str(deal.amount),
        move=_ws_reverse("sales:deal_move", workspace.slug, {"pk": deal.pk}),
        name=deal.name,
        detail=_ws_reverse("sales:deal_detail", workspace.slug, {"pk": deal.pk}),
        account=account,
        money=money(deal.amount, deal.currency),
        close=close,
        owner_title=gettext("Owner"),
        owner=owner,
        next_activity=next_activity,
        days=days,
    )
