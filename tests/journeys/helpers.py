"""Building journeys and running the engine in tests (through the real services)."""

import itertools

from contacts.services.contacts import contact_create
from journeys.services import journey_create, journey_publish
from journeys.services.advancing import enrolments_advance
from journeys.services.enrolling import events_consume, journeys_scan
from touchpoints.services import interaction_record

_names = itertools.count(1)


def chain(*kinds, params=None) -> list[dict]:
    """Steps s1 → s2 → … of the given kinds."""
    params = params or {}
    keys = [f"s{i}" for i in range(1, len(kinds) + 1)]
    return [
        {
            "key": key,
            "kind": kind,
            "params": params.get(key, {}),
            "next_key": keys[i + 1] if i + 1 < len(keys) else "",
            "branches": {},
        }
        for i, (key, kind) in enumerate(zip(keys, kinds, strict=True))
    ]


def live_journey(workspace, *, steps, trigger="case.opened", publish=True, **kwargs):
    journey = journey_create(
        workspace=workspace,
        actor=None,
        name=kwargs.pop("name", f"Journey {next(_names)}"),
        trigger=trigger,
        steps=steps,
        **kwargs,
    )
    if publish:
        journey = journey_publish(workspace=workspace, actor=None, journey=journey)
    return journey


def new_contact(workspace, name="Ada", **fields):
    return contact_create(workspace=workspace, actor=None, last_name=name, **fields)


def touch(workspace, contact, kind="case.opened", data=None, at=None):
    return interaction_record(
        workspace=workspace,
        kind=kind,
        channel="system",
        contact=contact,
        app="contacts",
        subject=kind,
        data=data or {},
        occurred_at=at,
    )


def tick(workspace, now=None):
    """One beat of the engine for `workspace`, as the task runs it."""
    events = events_consume(workspace=workspace, now=now)
    journeys_scan(workspace=workspace, now=now)
    advanced = enrolments_advance(workspace=workspace, now=now)
    return events, advanced
