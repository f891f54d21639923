"""Builders for the webhook tests: endpoints through the service, the dispatcher's run."""

from webhooks.models import EventType, WebhookDelivery, WebhookEvent
from webhooks.services.dispatch import events_dispatch
from webhooks.services.endpoints import endpoint_create
from workspaces.scoping import workspace_scope

ALL_TYPES = list(EventType.values)


def endpoint_make(workspace, url="http://127.0.0.1:9/hook", types=None, actor=None, **fields):
    """An endpoint made through the service (needs WEBHOOKS_ALLOW_PRIVATE for loopback)."""
    with workspace_scope(workspace):
        return endpoint_create(
            workspace=workspace,
            actor=actor,
            url=url,
            event_types=types or ALL_TYPES,
            **fields,
        )


def dispatch(workspace, **kwargs) -> dict:
    with workspace_scope(workspace):
        return events_dispatch(workspace=workspace, **kwargs)


def events_of(workspace, *types) -> list[WebhookEvent]:
    rows = WebhookEvent.all_workspaces.filter(workspace=workspace).order_by("source_seq", "id")
    if types:
        rows = rows.filter(type__in=types)
    return list(rows)


def deliveries_of(endpoint) -> list[WebhookDelivery]:
    return list(WebhookDelivery.all_workspaces.filter(endpoint=endpoint).order_by("id"))
