"""What sales shows on other apps' pages: the home panel, the panels on the contact and account
pages, the global search and caller lookup sources (registered by sales.registration). Reads
only; each context takes the workspace first."""

from urllib.parse import urlencode

from django.utils import timezone
from django.utils.translation import gettext as _

from workspaces.registry import SearchHit
from workspaces.urlnames import workspace_reverse

from . import (
    activities as activity_selectors,
    deals as deal_selectors,
    home as home_selectors,
    leads as lead_selectors,
)


def my_day_panel(workspace, user) -> dict:
    """The home panel: overdue (due before now), later today, and what was done today."""
    data = activity_selectors.my_day(workspace=workspace, user=user, limit=8)
    return {
        "overdue": data["overdue"],
        "today": data["today"],
        "done": data["done"],
        "done_today": data["done_today"],
    }


def rep_figures_panel(workspace, user) -> dict:
    """Home panel "My figures": the user's open pipeline per currency, deals closing this
    month, overdue activities and quota attainment (see selectors.home.rep_figures)."""
    return {"figures": home_selectors.rep_figures(workspace=workspace, user=user)}


def team_figures_panel(workspace, user) -> dict:
    """Home panel "Team": pipeline and weighted forecast per currency, by stage and by rep,
    won this month and quota attainment, with their charts (selectors.home.team_figures)."""
    figures = home_selectors.team_figures(workspace=workspace)
    return {"figures": figures, "charts": home_selectors.team_charts(figures)}


def contact_deals_panel(workspace, user, contact) -> dict:
    return {
        "deals": deal_selectors.open_deals_for(workspace=workspace, contact=contact),
        "contact": contact,
    }


def contact_activities_panel(workspace, user, contact) -> dict:
    return {
        "activities": activity_selectors.open_activities_for(workspace=workspace, contact=contact),
        "contact": contact,
        "now": timezone.now(),
    }


def account_deals_panel(workspace, user, account) -> dict:
    return {
        "deals": deal_selectors.open_deals_for(workspace=workspace, account=account),
        "account": account,
    }


def search_deals(workspace, query: str, limit: int) -> list[SearchHit]:
    """The deals of `workspace` the global search shows for `query`."""
    rows = deal_selectors.deal_search(workspace=workspace, query=query, limit=limit)
    return [
        SearchHit(
            kind="deal",
            title=d.name,
            url=workspace_reverse(workspace, "sales:deal_detail", pk=d.pk),
            subtitle=" · ".join(
                p for p in (d.account.name if d.account else "", d.stage.name) if p
            ),
        )
        for d in rows
    ]


def search_deals_count(workspace, query: str, cap: int) -> tuple[int, bool]:
    """Global search: how many deals (open or closed) match `query`, at most `cap` counted."""
    return deal_selectors.deal_search_count(workspace=workspace, query=query, cap=cap)


def search_deals_url(workspace, query: str) -> str:
    """The deal list of every state (the search finds closed deals too) filtered by `query`."""
    params = urlencode({"state": "all", "q": query})
    return f"{workspace_reverse(workspace, 'sales:deals')}?{params}"


def search_leads(workspace, query: str, limit: int) -> list[SearchHit]:
    """The leads of `workspace` the global search shows for `query`."""
    rows = lead_selectors.lead_search(workspace=workspace, query=query, limit=limit)
    return [
        SearchHit(
            kind="lead",
            title=str(lead),
            url=workspace_reverse(workspace, "sales:lead_detail", pk=lead.pk),
            subtitle=f"{_('Lead')} · {lead.get_status_display()}",
        )
        for lead in rows
    ]


def search_leads_count(workspace, query: str, cap: int) -> tuple[int, bool]:
    """Global search: how many leads (any status) match `query`, at most `cap` counted."""
    return lead_selectors.lead_search_count(workspace=workspace, query=query, cap=cap)


def search_leads_url(workspace, query: str) -> str:
    """The lead list of every status (the search finds converted leads too) for `query`."""
    params = urlencode({"status": "all", "q": query})
    return f"{workspace_reverse(workspace, 'sales:leads')}?{params}"


def leads_by_phone(workspace, e164: str, limit: int) -> list[SearchHit]:
    """Caller lookup source: open (not converted) leads whose phone is `e164`."""
    rows = lead_selectors.leads_open_by_phone(workspace=workspace, e164=e164, limit=limit)
    return [
        SearchHit(
            kind="lead",
            title=str(lead),
            url=workspace_reverse(workspace, "sales:lead_detail", pk=lead.pk),
            subtitle=" · ".join(p for p in (lead.company, lead.get_status_display()) if p),
        )
        for lead in rows
    ]


def customer_context_panel(workspace, user, contact) -> dict:
    """What a service agent sees of the customer's sales, read-only (registered as a customer
    context panel): open deals, quotes in draft or sent, planned activities. Three queries."""
    from ..models import Quote, QuoteStatus

    quotes = list(
        Quote.objects.filter(
            workspace=workspace,
            deal__contact=contact,
            status__in=[QuoteStatus.DRAFT, QuoteStatus.SENT],
        )
        .select_related("deal")
        .order_by("-created_at", "-id")[:10]
    )
    return {
        "deals": deal_selectors.open_deals_for(workspace=workspace, contact=contact),
        "quotes": quotes,
        "activities": activity_selectors.open_activities_for(workspace=workspace, contact=contact),
        "now": timezone.now(),
    }


def product_availability_search(workspace, query: str, limit: int) -> list:
    """Active products whose name starts with `query` or whose SKU is `query`, with stock,
    lead time and the availability text for one piece (the product lookup for service).
    One query."""
    from contacts.registry import ProductAvailability

    from ..models.catalog import availability_for
    from .catalog import product_list

    query = (query or "").strip()
    if not query:
        return []
    rows = product_list(workspace=workspace, active=True, search=query).order_by("name", "id")
    return [
        ProductAvailability(
            sku=p.sku,
            name=p.name,
            stock=p.stock_on_hand if p.track_stock else None,
            lead_time_days=p.lead_time_days,
            text=availability_for(
                stock=p.stock_on_hand, lead_time_days=p.lead_time_days, track_stock=p.track_stock
            ).text,
        )
        for p in rows[:limit]
    ]
