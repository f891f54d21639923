"""Assignee, queue-member and agent choices offer only the workspace's members who can work
cases (their role holds service.edit), never marketers, sales reps or read-only members."""

import re

import pytest
from django.urls import reverse

from service.forms.cases import AssigneeForm, CaseForm
from service.forms.quality import KpiFilterForm
from service.forms.setup import MemberAddForm
from tests.service import factories as f
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]


@pytest.fixture
def people(workspace, other_workspace, member_factory):
    return {
        role: member_factory(role)
        for role in (Role.OWNER, Role.MANAGER, Role.SERVICE, Role.MARKETING, Role.SALES,
                     Role.READONLY)
    } | {"elsewhere": member_factory(Role.SERVICE, other_workspace)}  # fmt: skip


def test_every_agent_choice_lists_only_members_who_can_work_cases(workspace, people):
    agents = {people[Role.OWNER], people[Role.MANAGER], people[Role.SERVICE]}
    with workspace_scope(workspace):
        fields = [
            CaseForm(workspace=workspace).fields["assignee"],
            AssigneeForm(workspace=workspace).fields["assignee"],
            MemberAddForm(workspace=workspace).fields["user"],
            KpiFilterForm(workspace=workspace).fields["agent"],
        ]
        for field in fields:
            assert set(field.queryset) == agents


def test_a_marketer_cannot_be_assigned_through_the_case_controls(workspace, people, client_for):
    client = client_for(Role.SERVICE)
    case = f.new_case(workspace)
    page = client.get(
        reverse("service:case_detail", kwargs={"ws": "acme", "pk": case.pk})
    ).content.decode()
    page = re.search(r'<select name="assignee".*?</select>', page, re.S).group(0)
    assert f'value="{people[Role.SERVICE].pk}"' in page
    for outsider in (people[Role.MARKETING], people[Role.READONLY], people["elsewhere"]):
        assert f'value="{outsider.pk}"' not in page
        with workspace_scope(workspace):
            assert not AssigneeForm({"assignee": outsider.pk}, workspace=workspace).is_valid()
    client.post(
        reverse("service:case_controls", kwargs={"ws": "acme", "pk": case.pk}),
        {"assignee": people[Role.MARKETING].pk},
    )
    case.refresh_from_db()
    assert case.assignee is None
