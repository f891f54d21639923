"""Isolation cases of the service URLs (tests/isolation.py)."""

from service.models import CannedResponse, Queue, ServiceCalendar
from tests.isolation import register
from tests.service import factories as f


@register(
    "service:case_detail",
    "service:case_message",
    "service:case_log",
    "service:case_status",
    "service:case_controls",
    "service:case_details",
    "service:case_products",
)
def case_in(workspace, user):
    case = f.new_case(workspace, user)
    return {"pk": case.pk}, case


@register("service:queue_detail")
def queue_in(workspace, user):
    queue = f.queue(workspace)
    return {"pk": queue.pk}, Queue.all_workspaces.get(pk=queue.pk)


@register("service:calendar_detail")
def calendar_in(workspace, user):
    calendar = f.office_calendar(workspace)
    return {"pk": calendar.pk}, ServiceCalendar.all_workspaces.get(pk=calendar.pk)


@register("service:canned_edit")
def canned_in(workspace, user):
    canned = CannedResponse.all_workspaces.create(workspace=workspace, title="Hi", body="Hi")
    return {"pk": canned.pk}, canned


# email to case; satisfaction surveys, knowledge base, KPIs
from tests.service import isolation_mail, isolation_quality  # noqa: E402, F401, I001
