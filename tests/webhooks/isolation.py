"""Isolation cases of the webhooks URLs (tests/isolation.py)."""

from django.utils import timezone

from tests.isolation import register
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent


def _endpoint(workspace, user):
    return WebhookEndpoint.all_workspaces.create(
        workspace=workspace,
        url="https://hooks.example/in",
        event_types=["contact.created"],
        secret="whsec_QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB",
        created_by=user,
    )


@register(
    "webhooks:endpoint",
    "webhooks:endpoint_edit",
    "webhooks:endpoint_rotate",
    "webhooks:endpoint_test",
)
def endpoint_in(workspace, user):
    endpoint = _endpoint(workspace, user)
    return {"pk": endpoint.pk}, endpoint


@register("webhooks:delivery", "webhooks:delivery_replay")
def delivery_in(workspace, user):
    endpoint = _endpoint(workspace, user)
    event = WebhookEvent.all_workspaces.create(
        workspace=workspace, msg_id="msg_isolation", type="contact.created", payload={}
    )
    delivery = WebhookDelivery.all_workspaces.create(
        workspace=workspace,
        endpoint=endpoint,
        event=event,
        status=DeliveryStatus.FAILED,
        attempts=8,
        last_attempt_at=timezone.now(),
    )
    return {"pk": delivery.pk}, delivery
