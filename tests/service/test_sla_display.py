"""How the SLA targets show (frozen clock): a met target shows as met with its time, never as
overdue; "next due" on the case list and the agent home is the earliest target not yet met."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from service.models import Case, CaseStatus
from service.selectors.cases import FAR_FUTURE, with_urgency
from service.services.cases import case_change_status, case_customer_message, case_reply
from tests.service import factories as f
from workspaces.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def at(day, hour, minute=0):
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=BERLIN)  # 2026-03-02: Monday


def next_dues(html):
    """The "next due" instants shown on a page (agent home, case list)."""
    return [
        datetime.datetime.fromisoformat(v)
        for v in re.findall(r'data-testid="next-due" datetime="([^"]+)"', html)
    ]


def next_due_of(case):
    return with_urgency(Case.all_workspaces.filter(pk=case.pk)).get().next_due


@pytest.fixture
def answered(workspace, client_for):
    """A case answered on time (09:20, due 10:00) whose customer wrote again at 09:30 (next
    response due 11:30); its stored first-response due time is still set."""
    client = client_for(Role.SERVICE)
    f.office_calendar(workspace)
    f.policy(workspace, first=60, following=120, resolution=480)
    with time_machine.travel(at(2, 9), tick=False):
        case = f.new_case(workspace, assignee=client.user)
    with time_machine.travel(at(2, 9, 20), tick=False):
        case_reply(workspace=workspace, actor=client.user, case=case, body="On it.")
    with time_machine.travel(at(2, 9, 30), tick=False):
        case_customer_message(workspace=workspace, case=case, body_text="Any news?")
    Case.all_workspaces.filter(pk=case.pk).update(first_response_due=at(2, 10))
    case.refresh_from_db()
    client.case = case
    return client


def test_a_met_first_response_shows_as_met_and_next_due_is_the_next_response(answered):
    client, case = answered, answered.case
    detail = reverse("service:case_detail", kwargs={"ws": "acme", "pk": case.pk})
    with time_machine.travel(at(2, 10, 30), tick=False):
        page = client.get(detail).content.decode()
        assert "(overdue)" not in page and "text-danger" not in page.split("sla-card")[1][:2000]
        assert 'data-sla-met="1"' in page and "First response ✓" in page
        assert next_due_of(case) == at(2, 11, 30)
        home = client.get(reverse("workspace_home", kwargs={"ws": "acme"})).content.decode()
        assert next_dues(home) == [at(2, 11, 30)]
        listing = client.get(reverse("service:cases", kwargs={"ws": "acme"})).content.decode()
        assert next_dues(listing) == [at(2, 11, 30)]


def test_after_the_answer_next_due_is_the_resolution_and_none_once_resolved(answered):
    client, case = answered, answered.case
    with time_machine.travel(at(2, 10, 40), tick=False):
        case_reply(workspace=case.workspace, actor=client.user, case=case, body="Fixed.")
    case.refresh_from_db()
    Case.all_workspaces.filter(pk=case.pk).update(first_response_due=at(2, 10))
    assert next_due_of(case) == at(2, 17)
    with time_machine.travel(at(2, 11), tick=False):
        case_change_status(
            workspace=case.workspace, actor=client.user, case=case, status=CaseStatus.RESOLVED
        )
    Case.all_workspaces.filter(pk=case.pk).update(first_response_due=at(2, 10))
    assert next_due_of(case) == FAR_FUTURE
    detail = reverse("service:case_detail", kwargs={"ws": "acme", "pk": case.pk})
    with time_machine.travel(at(3, 12), tick=False):
        page = client.get(detail).content.decode()
        assert "(overdue)" not in page
        assert "First response ✓" in page and "Resolution ✓" in page
        listing = client.get(
            reverse("service:cases", kwargs={"ws": "acme"}), {"status": "all"}
        ).content.decode()
        assert next_dues(listing) == []


def test_a_new_case_is_due_for_its_first_response_and_paused_has_none(workspace, client_for):
    client = client_for(Role.SERVICE)
    f.office_calendar(workspace)
    f.policy(workspace, first=60, following=120, resolution=480)
    with time_machine.travel(at(2, 9), tick=False):
        case = f.new_case(workspace, assignee=client.user)
    assert next_due_of(case) == at(2, 10)
    with time_machine.travel(at(2, 11), tick=False):
        page = client.get(
            reverse("service:case_detail", kwargs={"ws": "acme", "pk": case.pk})
        ).content.decode()
        assert "(overdue)" in page  # an unmet target past its due time still shows red
        case_change_status(
            workspace=workspace, actor=client.user, case=case, status=CaseStatus.PENDING
        )
    assert next_due_of(case) == FAR_FUTURE
