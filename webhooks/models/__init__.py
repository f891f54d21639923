"""The models of outbound webhooks: endpoints, the events derived from the change log and the
customer history, one delivery per event and endpoint, and the dispatcher's cursor."""

from .deliveries import DeliveryStatus, WebhookCursor, WebhookDelivery, WebhookEvent
from .endpoints import EventType, WebhookEndpoint

__all__ = [
    "DeliveryStatus",
    "EventType",
    "WebhookCursor",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
