"""The agent home's follow-up panel marks tasks whose due time has passed (frozen clock)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from service.models import CaseTask
from tests.conftest import login
from tests.service.quality_factories import resolved_case

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]
NOW = datetime.datetime(2026, 11, 18, 12, 0, tzinfo=datetime.UTC)


def test_a_follow_up_due_in_the_past_is_marked_overdue(workspace, member_factory):
    agent = member_factory("service")
    for title, due in (("Call back late", NOW - datetime.timedelta(hours=3)),
                       ("Call back later", NOW + datetime.timedelta(days=1))):  # fmt: skip
        case = resolved_case(workspace, at=NOW - datetime.timedelta(days=2), assignee=agent)
        CaseTask.all_workspaces.create(
            workspace=workspace, case=case, assignee=agent, title=title, due_at=due
        )
    with time_machine.travel(NOW, tick=False):
        html = login(agent).get(reverse("workspace_home", kwargs={"ws": workspace.slug}))
    html = html.content.decode()
    late, later = html.index("Call back late<"), html.index("Call back later<")
    assert html.count('data-testid="follow-up-overdue"') == 1
    assert late < html.index('data-testid="follow-up-overdue"') < later
