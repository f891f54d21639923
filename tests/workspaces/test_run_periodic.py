"""`manage.py run_periodic`: the beat of a setup without a broker (`make run`) runs every
periodic task, so what only beat starts (SLA flags, scheduled campaigns…) happens there too."""

import datetime
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from service.models import Case, Priority, SlaState
from service.services import setup
from tests.service import factories as f
from workspaces.scoping import workspace_scope


@pytest.mark.django_db
def test_once_runs_every_periodic_task_and_their_work_happens(workspace):
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
    late = f.new_case(workspace, created_at=timezone.now() - datetime.timedelta(hours=1))
    out = StringIO()
    call_command("run_periodic", "--once", stdout=out)
    ran = {line.split(" ", 1)[1].split(":")[0] for line in out.getvalue().splitlines()}
    assert ran == {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    with workspace_scope(workspace):
        assert Case.objects.get(pk=late.pk).sla_state == SlaState.BREACHED
