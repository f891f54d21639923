"""{% deal_quotes deal as quotes %}: the quotes of a deal, newest first (one query)."""

from django import template

from sales.models import Quote

register = template.Library()


@register.simple_tag
def deal_quotes(deal, limit=20):
    return list(
        Quote.objects.filter(workspace_id=deal.workspace_id, deal_id=deal.pk).order_by(
            "-created_at", "-id"
        )[:limit]
    )
