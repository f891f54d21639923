"""Isolation cases of the journey builder's pages (tests/isolation.py)."""

from journeys.models import Journey
from journeys.services import journey_create
from tests.isolation import register
from workspaces.scoping import workspace_scope

STEPS = [
    {
        "key": "s1",
        "kind": "wait",
        "params": {"mode": "delay", "amount": 1, "unit": "days"},
        "next_key": "",
        "branches": {},
    }
]


@register(
    "journeys:detail",
    "journeys:edit",
    "journeys:publish",
    "journeys:pause",
    "journeys:resume",
)
def journey_in(workspace, user):
    with workspace_scope(workspace):
        journey = journey_create(
            workspace=workspace,
            actor=user,
            name="Isolated",
            trigger="contact.created",
            trigger_params={},
            conditions={},
            goal="",
            reentry="never",
            steps=STEPS,
        )
    return {"pk": journey.pk}, Journey.all_workspaces.get(pk=journey.pk)
