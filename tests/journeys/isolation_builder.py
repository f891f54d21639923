"""Isolation cases of the journey builder's pages (tests/isolation.py)."""

from journeys.models import Journey
from journeys.services import journey_create
from tests.isolation import register

STEPS = [{"key": "s1", "kind": "wait", "params": {"days": 1}, "next_key": "", "branches": {}}]


@register(
    "journeys:detail",
    "journeys:edit",
    "journeys:publish",
    "journeys:pause",
    "journeys:resume",
)
def journey_in(workspace, user):
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
