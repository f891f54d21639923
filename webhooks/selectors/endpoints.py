"""Reads of the webhooks pages: endpoints with their health, deliveries."""

from dataclasses import dataclass

from django.db.models import QuerySet

from workspaces.paging import KeysetPage, keyset_page

from ..models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

DELIVERIES_PER_PAGE = 25


@dataclass(frozen=True)
class EndpointHealth:
    """One endpoint of the list and its `state`: "ok" (the last attempt succeeded), "failing"
    (every attempt since `failing_since` failed), "disabled" or "new" (nothing sent yet)."""

    endpoint: WebhookEndpoint
    state: str


def _state(endpoint: WebhookEndpoint) -> str:
    if not endpoint.enabled:
        return "disabled"
    if endpoint.failing_since is not None:
        return "failing"
    return "ok" if endpoint.last_success_at else "new"


def endpoint_list(*, workspace) -> list[EndpointHealth]:
    """The workspace's endpoints, newest first, each with its health. One query."""
    endpoints = WebhookEndpoint.objects.filter(workspace=workspace).order_by("-id")
    return [EndpointHealth(endpoint=e, state=_state(e)) for e in endpoints]


def endpoints_failing_noticed(*, workspace) -> list[WebhookEndpoint]:
    """Enabled endpoints whose failure notice went out (the page's banner)."""
    return list(
        WebhookEndpoint.objects.filter(
            workspace=workspace, enabled=True, notice_sent_at__isnull=False
        ).order_by("id")
    )


def endpoint_get(*, workspace, pk: int) -> WebhookEndpoint:
    """The workspace's endpoint `pk`; WebhookEndpoint.DoesNotExist otherwise."""
    return WebhookEndpoint.objects.get(workspace=workspace, pk=pk)


def delivery_page(
    *, workspace, endpoint: WebhookEndpoint, status: str = "", cursor: str | None = None
) -> KeysetPage:
    """One page of the endpoint's deliveries, newest first (keyset by id), optionally of
    one status; the events come with them (one query)."""
    qs: QuerySet = WebhookDelivery.objects.filter(
        workspace=workspace, endpoint=endpoint
    ).select_related("event")
    if status in DeliveryStatus.values:
        qs = qs.filter(status=status)
    return keyset_page(qs, order=("-id",), cursor=cursor, per_page=DELIVERIES_PER_PAGE)


def delivery_get(*, workspace, pk: int) -> WebhookDelivery:
    """The workspace's delivery `pk` with its event and endpoint; DoesNotExist otherwise."""
    return WebhookDelivery.objects.select_related("event", "endpoint").get(
        workspace=workspace, pk=pk
    )
