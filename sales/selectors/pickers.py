"""Reads behind the deal picker (the autocomplete field of the activity form): a few deals
whose name starts with what was typed, newest first, fast at a million rows (the trigram
index on UPPER(name) led by workspace_id serves `istartswith` on PostgreSQL; the
(workspace, -created_at) index with LIMIT serves the common prefixes)."""

from django.db.models import Q

from ..models import Deal

PICK_LIMIT = 10


def deal_pick(
    *, workspace, query: str, open_only: bool = False, limit: int = PICK_LIMIT
) -> tuple[list[dict], bool]:
    """Deals of `workspace` whose name starts with `query` (open ones only with
    `open_only`), newest first: ([{"id", "label", "detail"}], more); `detail` names the
    account and the stage. One query; ([], False) for an empty query."""
    value = " ".join((query or "").split())
    if not value:
        return [], False
    deals = Deal.objects.filter(workspace=workspace).filter(Q(name__istartswith=value))
    if open_only:
        deals = deals.filter(closed_at__isnull=True)
    rows = list(
        deals.select_related("account", "stage")
        .only("id", "name", "account__name", "stage__name")
        .order_by("-created_at", "-id")[: limit + 1]
    )
    results = [
        {
            "id": d.pk,
            "label": d.name,
            "detail": " · ".join(
                v for v in (d.account.name if d.account else "", d.stage.name) if v
            ),
        }
        for d in rows
    ]
    return results[:limit], len(results) > limit
