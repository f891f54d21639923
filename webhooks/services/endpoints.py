"""Writes of the webhooks pages: endpoints (create, change, rotate the secret), a test event,
the replay of a delivery."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workspaces import outbound
from workspaces.changelog import ChangeAction, change_record, changed_fields, snapshot
from workspaces.service_checks import same_workspace_require

from ..models import DeliveryStatus, EventType, WebhookDelivery, WebhookEndpoint, WebhookEvent
from ..signing import secret_new
from .dispatch import cursor_ensure, msg_id_new

ROTATION_OVERLAP = datetime.timedelta(hours=24)
ENDPOINT_FIELDS = {"url", "description", "event_types", "enabled"}
TEST_EVENT_TYPE = "webhook.test"


def url_problem(url: str) -> str | None:
    """Why webhooks may not be sent to `url` (for a form), or None: https (http too and any
    address with WEBHOOKS_ALLOW_PRIVATE = True), and every address the host name resolves to
    now is public. Each delivery checks again."""
    allow = getattr(settings, "WEBHOOKS_ALLOW_PRIVATE", False) is True
    return outbound.address_problem(url, allow_private=allow)


def _check(endpoint: WebhookEndpoint) -> None:
    errors = {}
    problem = url_problem(endpoint.url)
    if problem:
        errors["url"] = problem
    types = endpoint.event_types
    if not isinstance(types, list) or not types:
        errors["event_types"] = _("Choose at least one event type.")
    elif set(types) - set(EventType.values):
        errors["event_types"] = _("Unknown event type.")
    try:
        endpoint.full_clean(exclude=["workspace", "created_by"])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def endpoint_create(
    *, workspace, actor, url: str, event_types: list[str], description: str = "", enabled=True
) -> WebhookEndpoint:
    """Subscribe `url` to `event_types` with a fresh secret. ValidationError keyed by field
    (url: not https or resolving to a private address; event_types: none or unknown). The
    workspace's cursor starts at the head of its history: earlier events are not sent."""
    endpoint = WebhookEndpoint(
        workspace=workspace,
        url=url,
        description=description,
        event_types=sorted(set(event_types or [])),
        enabled=enabled,
        secret=secret_new(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _check(endpoint)
    endpoint.save()
    cursor_ensure(workspace=workspace)
    change_record(
        workspace=workspace,
        actor=actor,
        instance=endpoint,
        action=ChangeAction.CREATED,
        fields=["url", "event_types", "enabled"],
    )
    return endpoint


@transaction.atomic
def endpoint_update(*, workspace, actor, endpoint: WebhookEndpoint, **fields) -> WebhookEndpoint:
    """Change ENDPOINT_FIELDS of `endpoint`. Enabling a disabled endpoint clears its failure
    state (disabled reason, failing since, notice). ValidationError keyed by field."""
    same_workspace_require(workspace=workspace, obj=endpoint, field="endpoint")
    unknown = set(fields) - ENDPOINT_FIELDS
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    endpoint = WebhookEndpoint.objects.select_for_update().get(workspace=workspace, pk=endpoint.pk)
    before = snapshot(endpoint)
    was_enabled = endpoint.enabled
    for key, value in fields.items():
        setattr(endpoint, key, sorted(set(value)) if key == "event_types" else value)
    if endpoint.enabled and not was_enabled:
        endpoint.disabled_at, endpoint.disabled_reason = None, ""
        endpoint.failing_since, endpoint.notice_sent_at = None, None
    _check(endpoint)
    endpoint.save()
    cursor_ensure(workspace=workspace)
    changed = changed_fields(before, endpoint)
    if changed:
        change_record(
            workspace=workspace,
            actor=actor,
            instance=endpoint,
            action=ChangeAction.UPDATED,
            fields=[f for f in changed if f not in ("secret", "previous_secret")],
        )
    return endpoint


@transaction.atomic
def endpoint_secret_rotate(*, workspace, actor, endpoint: WebhookEndpoint, now=None) -> str:
    """A new signing secret; the current one becomes the previous one and keeps signing
    (a second signature) for ROTATION_OVERLAP, so receivers can switch without losing a
    message. Returns the new secret."""
    same_workspace_require(workspace=workspace, obj=endpoint, field="endpoint")
    now = now or timezone.now()
    endpoint = WebhookEndpoint.objects.select_for_update().get(workspace=workspace, pk=endpoint.pk)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = now + ROTATION_OVERLAP
    endpoint.secret = secret_new()
    endpoint.save(
        update_fields=["secret", "previous_secret", "previous_secret_until", "updated_at"]
    )
    change_record(
        workspace=workspace,
        actor=actor,
        instance=endpoint,
        action=ChangeAction.UPDATED,
        fields=["secret"],
        data={"action": "rotate"},
    )
    return endpoint.secret


def _queue_after_commit(delivery: WebhookDelivery) -> None:
    from ..tasks import webhook_deliver_task

    workspace_id, pk = delivery.workspace_id, delivery.pk
    transaction.on_commit(lambda: webhook_deliver_task.delay(workspace_id, pk))


@transaction.atomic
def endpoint_test_send(*, workspace, actor, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Send a test event ("webhook.test", naming the endpoint) to `endpoint` alone: stored
    and delivered like any other, with its retries. ValidationError for a disabled one."""
    same_workspace_require(workspace=workspace, obj=endpoint, field="endpoint")
    if not endpoint.enabled:
        raise ValidationError(_("Enable the endpoint first."))
    now = timezone.now()
    event = WebhookEvent.objects.create(
        workspace=workspace,
        msg_id=msg_id_new(),
        type=TEST_EVENT_TYPE,
        payload={
            "type": TEST_EVENT_TYPE,
            "timestamp": now.isoformat(),
            "data": {"object": "endpoint", "id": endpoint.pk, "workspace": workspace.slug},
        },
    )
    delivery = WebhookDelivery.objects.create(
        workspace=workspace, endpoint=endpoint, event=event, next_attempt_at=now
    )
    _queue_after_commit(delivery)
    return delivery


@transaction.atomic
def delivery_replay(*, workspace, actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a finished (succeeded or failed) delivery again: a new delivery of the same event
    (the same webhook-id, so a receiver that has it can drop it) with its own attempts and
    retries. ValidationError while it is still pending or the endpoint is disabled."""
    same_workspace_require(workspace=workspace, obj=delivery, field="delivery")
    if delivery.status not in (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED):
        raise ValidationError(_("This delivery is still being tried."))
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        raise ValidationError(_("Enable the endpoint first."))
    replay = WebhookDelivery.objects.create(
        workspace=workspace,
        endpoint=endpoint,
        event=delivery.event,
        next_attempt_at=timezone.now(),
        replay_of=delivery,
    )
    _queue_after_commit(replay)
    return replay
