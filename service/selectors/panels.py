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
