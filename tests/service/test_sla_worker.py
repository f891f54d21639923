"""A real Celery worker runs the SLA beat task: it fans out to the workspace, flags the case
breached, escalates it and emails the assignee and the queue lead through a real SMTP server
(aiosmtpd). Runs only with CELERY_BROKER_URL (tests/conftest.py deselects it otherwise)."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from service.models import Case, Priority, SlaState
from service.services import setup
from service.tasks import sla_check_task
from tests.factories import MembershipFactory, WorkspaceFactory
from tests.service import factories as f
from tests.workspaces.test_worker import smtp_server, wait_for, worker  # noqa: F401 (fixtures)
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_flags_escalates_and_notifies(smtp_server, worker):  # noqa: F811
    inbox, _port = smtp_server
    workspace = WorkspaceFactory(name="Worker GmbH", slug="worker-gmbh")
    agent = MembershipFactory(workspace=workspace, role=Role.SERVICE).user
    lead = MembershipFactory(workspace=workspace, role=Role.MANAGER).user
    with workspace_scope(workspace):
        setup.sla_policy_set(
            workspace=workspace,
            actor=None,
            priority=Priority.NORMAL,
            first_response_minutes=5,
            next_response_minutes=None,
            resolution_minutes=60,
            at_risk_percent=80,
        )
        queue = setup.queue_create(workspace=workspace, actor=None, name="Complaints", lead=lead)
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    case = f.new_case(workspace, queue=queue, assignee=agent, created_at=an_hour_ago)

    sla_check_task.delay()

    delivered = wait_for(lambda: inbox.messages, worker)
    assert delivered, Path(worker.log).read_text()[-3000:]
    recipients, message = inbox.messages[0]
    assert sorted(recipients) == sorted([agent.email, lead.email])
    assert f"[#{case.number}]" in message["Subject"]
    stored = Case.all_workspaces.get(pk=case.pk)
    assert stored.sla_state == SlaState.BREACHED
    assert stored.priority == Priority.HIGH and stored.assignee == lead
