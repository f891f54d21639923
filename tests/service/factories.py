"""Builders of service data, written through the services (tests/<app>/factories.py)."""

import datetime

from service.models import Priority
from service.services import setup
from service.services.cases import case_create
from tests.contacts.factories import ContactFactory
from tests.factories import in_workspace_scope

T = datetime.time


@in_workspace_scope
def office_calendar(workspace, *, tz="Europe/Berlin", lunch=False, name="Office", default=True):
    """A Mon–Fri 9–17 calendar (with lunch: 9–12 and 13–17)."""
    calendar = setup.calendar_create(
        workspace=workspace, actor=None, name=name, time_zone=tz, is_default=default
    )
    for day in range(5):
        spans = [(T(9), T(12)), (T(13), T(17))] if lunch else [(T(9), T(17))]
        for start, end in spans:
            setup.period_add(
                workspace=workspace,
                actor=None,
                calendar=calendar,
                weekday=day,
                start=start,
                end=end,
            )
    return calendar


@in_workspace_scope
def policy(workspace, priority=Priority.NORMAL, first=60, following=120, resolution=480, risk=80):
    return setup.sla_policy_set(
        workspace=workspace,
        actor=None,
        priority=priority,
        first_response_minutes=first,
        next_response_minutes=following,
        resolution_minutes=resolution,
        at_risk_percent=risk,
    )


@in_workspace_scope
def queue(workspace, name="Complaints", **fields):
    return setup.queue_create(workspace=workspace, actor=None, name=name, **fields)


@in_workspace_scope
def new_case(workspace, actor=None, *, contact=None, body="It broke.", **fields):
    contact = contact or ContactFactory(workspace=workspace)
    fields.setdefault("subject", "Broken kettle")
    return case_create(workspace=workspace, actor=actor, contact=contact, body=body, **fields)
