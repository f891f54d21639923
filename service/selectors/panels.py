"""What service shows on the shell's pages (registered by service.registration)."""

from .cases import agent_home


def service_home_panel(workspace, user) -> dict:
    """The service agent's home panel: my open cases by SLA urgency, unassigned cases of my
    queues, breached cases (selectors.cases.agent_home)."""
    return agent_home(workspace=workspace, user=user)


def contact_cases_panel(workspace, user, contact) -> dict:
    """The contact page's panel: the contact's cases, open ones first, newest first (one
    query, at most 10)."""
    from django.db.models import Case as Conditional, IntegerField, Value, When

    from ..models import OPEN_STATUSES, Case

    rows = (
        Case.objects.filter(workspace=workspace, contact=contact)
        .select_related("assignee")
        .annotate(
            closed_rank=Conditional(
                When(status__in=OPEN_STATUSES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("closed_rank", "-created_at", "-id")[:10]
    )
    return {"cases": list(rows), "contact": contact}


def _search_cases_qs(workspace, query: str):
    from .cases import case_list

    return case_list(workspace=workspace, filters={"status": "all", "q": query})


def search_cases(workspace, query: str, limit: int) -> list:
    """The cases the global search shows for `query`: "#12" or "12" finds case 12, other
    text the cases whose subject starts with it (newest first). One query."""
    from workspaces.registry import SearchHit
    from workspaces.urlnames import workspace_reverse

    rows = _search_cases_qs(workspace, query).order_by("-created_at", "-id")[:limit]
    return [
        SearchHit(
            kind="case",
            title=f"#{c.number} {c.subject}",
            url=workspace_reverse(workspace, "service:case_detail", pk=c.pk),
            subtitle=" · ".join(p for p in (str(c.contact or ""), c.get_status_display()) if p),
        )
        for c in rows
    ]


def search_cases_count(workspace, query: str, cap: int) -> tuple[int, bool]:
    from workspaces.paging import capped_count

    return capped_count(_search_cases_qs(workspace, query), cap)


def search_cases_url(workspace, query: str) -> str:
    from urllib.parse import urlencode

    from workspaces.urlnames import workspace_reverse

    return (
        workspace_reverse(workspace, "service:cases")
        + "?"
        + urlencode({"status": "all", "q": query})
    )
