"""Isolation cases of the calls URLs (tests/isolation.py)."""

import datetime

from callcentre.models import AgentLine, Call, CallbackStatus, CallStatus, QueueLine
from tests.isolation import register
from tests.service import factories as f

T = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)


@register("callcentre:call_detail", "callcentre:callback_mark")
def call_in(workspace, user):
    call = Call.all_workspaces.create(
        workspace=workspace,
        provider="manual",
        status=CallStatus.ABANDONED,
        caller_number="+4930123456",
        offered_at=T,
        abandoned_at=T,
        callback_status=CallbackStatus.PENDING,
    )
    return {"pk": call.pk}, call


@register("callcentre:agent_line_delete")
def agent_line_in(workspace, user):
    line = AgentLine.all_workspaces.create(workspace=workspace, user=user, ref="201")
    return {"pk": line.pk}, line


@register("callcentre:queue_line_delete")
def queue_line_in(workspace, user):
    queue = f.queue(workspace, name="Phone")
    line = QueueLine.all_workspaces.create(workspace=workspace, queue=queue, ref="phone")
    return {"pk": line.pk}, line
