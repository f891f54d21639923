"""Sending one delivery: claim, sign, POST, record the outcome, schedule the retry, keep the
endpoint's health.

- Claim: a conditional UPDATE (pending and due → delivering, naming the worker), so two
  workers never send one delivery at once; a claim whose heartbeat is older than
  STALE_CLAIM_SECONDS belongs to a dead worker and the sweeper puts it back.
- Every attempt resolves the target again and checks every address (workspaces.outbound):
  a name that resolved to a public address when the endpoint was saved and to a private one
  now is refused now (DNS rebinding). WEBHOOKS_ALLOW_PRIVATE = True lifts the rule.
- Headers per Standard Webhooks: webhook-id is the event's (the same on every attempt and
  replay), webhook-timestamp and webhook-signature are made per attempt; during a rotation
  both secrets sign.
- 2xx is success. Otherwise the next attempt follows signing.RETRY_DELAYS; after the 8th
  the delivery has failed (replayable). A 410 Gone fails the delivery at once and disables
  the endpoint. The endpoint is disabled only after DISABLE_AFTER of nothing but failures,
  and its owners and admins are emailed after NOTICE_AFTER; a single 404 changes nothing
  but the delivery's retry.
"""

import datetime
import http.client
import json
import logging
import os
import socket
import time

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from workspaces import outbound
from workspaces.scoping import workspace_scope

from ..models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from ..signing import attempt_headers, retry_delay

logger = logging.getLogger("webhooks.delivering")

NOTICE_AFTER = datetime.timedelta(days=3)
DISABLE_AFTER = datetime.timedelta(days=5)
STALE_CLAIM_SECONDS = 60  # > the request timeout: a claim this old has lost its worker
QUEUE_SOON_SECONDS = 60  # retries due sooner are queued with a countdown; later: the sweeper


def worker_name() -> str:
    """Who claims: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def _private_allowed() -> bool:
    return getattr(settings, "WEBHOOKS_ALLOW_PRIVATE", False) is True


def _timeout() -> float:
    return float(getattr(settings, "WEBHOOKS_TIMEOUT", 10.0))


def delivery_claim(*, workspace, delivery_id: int, worker: str, now=None) -> bool:
    """Take `delivery_id` for `worker` if it is pending and due: one conditional UPDATE
    (status delivering, claimed_by, heartbeat, attempts + 1). False when another worker has
    it, it is not due yet or it is finished."""
    now = now or timezone.now()
    return bool(
        WebhookDelivery.objects.filter(
            workspace=workspace,
            pk=delivery_id,
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
        ).update(
            status=DeliveryStatus.DELIVERING,
            claimed_by=worker,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )


def _secrets(endpoint: WebhookEndpoint, now) -> list[str]:
    found = [endpoint.secret]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_until
        and endpoint.previous_secret_until > now
    ):
        found.append(endpoint.previous_secret)
    return found


def delivery_attempt(*, workspace, delivery_id: int, worker: str | None = None) -> str | None:
    """Claim and send one delivery; returns its status afterwards, or None when it could not
    be claimed (not due, taken, finished). Never raises for what the receiver does: every
    outcome is stored on the delivery (status code or a fixed reason, duration) and the
    endpoint's health."""
    worker = worker or worker_name()
    if not delivery_claim(workspace=workspace, delivery_id=delivery_id, worker=worker):
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint", "event").get(
        workspace=workspace, pk=delivery_id
    )
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        return _finish(
            workspace,
            delivery,
            worker,
            status=None,
            error=_("endpoint disabled"),
            started=time.monotonic(),
            at=None,
            final=True,
        )
    at = timezone.now()
    body = json.dumps(delivery.event.payload, separators=(",", ":"))
    started = time.monotonic()
    try:
        headers = attempt_headers(_secrets(endpoint, at), delivery.event.msg_id, at, body)
    except ValueError:
        return _finish(workspace, delivery, worker, None, _("invalid secret"), started, at)
    try:
        result = outbound.post(
            endpoint.url,
            body.encode(),
            headers,
            timeout=_timeout(),
            allow_private=_private_allowed(),
        )
    except outbound.AddressRefused as exc:
        return _finish(workspace, delivery, worker, None, str(exc), started, at)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        reason = outbound.failure_reason(exc)
        return _finish(workspace, delivery, worker, None, reason, started, at)
    return _finish(workspace, delivery, worker, result.status, "", started, at)


@transaction.atomic
def _finish(workspace, delivery, worker, status, error, started, at, final=False) -> str | None:
    """Store the attempt's outcome if the claim is still ours; the next step of the
    delivery and of its endpoint's health."""
    now = timezone.now()
    ok = status is not None and 200 <= status < 300
    gone = status == 410
    values = {
        "claimed_by": "",
        "heartbeat_at": None,
        "last_status_code": status,
        "last_error": (error or (f"HTTP {status}" if not ok and status else ""))[:200],
        "last_duration_ms": int((time.monotonic() - started) * 1000),
        "updated_at": now,
    }
    if at is not None:
        values["last_attempt_at"] = at
        values["last_timestamp"] = int(at.timestamp())
    delay = None if (ok or gone or final) else retry_delay(delivery.attempts)
    if ok:
        values.update(status=DeliveryStatus.SUCCEEDED, next_attempt_at=None)
    elif delay is None:
        values.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    else:
        values.update(
            status=DeliveryStatus.PENDING, next_attempt_at=now + datetime.timedelta(seconds=delay)
        )
    stored = WebhookDelivery.objects.filter(
        workspace=workspace,
        pk=delivery.pk,
        status=DeliveryStatus.DELIVERING,
        claimed_by=worker,
    ).update(**values)
    if not stored:
        return None  # the sweeper took it back meanwhile: its next attempt decides
    if at is not None:
        _endpoint_health(workspace, delivery.endpoint_id, ok=ok, gone=gone, now=now)
    if delay is not None and delay <= QUEUE_SOON_SECONDS:
        workspace_id, pk = delivery.workspace_id, delivery.pk
        transaction.on_commit(lambda: _queue(workspace_id, pk, delay))
    return values["status"]


def _queue(workspace_id: int, delivery_id: int, countdown: int) -> None:
    from ..tasks import webhook_deliver_task

    webhook_deliver_task.apply_async((workspace_id, delivery_id), countdown=countdown)


def _endpoint_health(workspace, endpoint_id: int, *, ok: bool, gone: bool, now) -> None:
    """After an attempt: a success clears the failure state; a 410 disables the endpoint;
    other failures start `failing_since`, send the notice after NOTICE_AFTER and disable
    after DISABLE_AFTER (never before the notice went out)."""
    endpoint = (
        WebhookEndpoint.objects.select_for_update().filter(workspace=workspace, pk=endpoint_id)
    ).first()
    if endpoint is None:
        return
    fields = ["updated_at"]
    if ok:
        endpoint.last_success_at, endpoint.failing_since, endpoint.notice_sent_at = now, None, None
        fields += ["last_success_at", "failing_since", "notice_sent_at"]
    elif gone and endpoint.enabled:
        _disable(endpoint, now, _("The endpoint answered 410 Gone."))
        fields += ["enabled", "disabled_at", "disabled_reason"]
    elif endpoint.enabled:
        if endpoint.failing_since is None:
            endpoint.failing_since = now
            fields.append("failing_since")
        failing = now - endpoint.failing_since
        if failing >= NOTICE_AFTER and endpoint.notice_sent_at is None:
            endpoint.notice_sent_at = now
            fields.append("notice_sent_at")
            pk = endpoint.pk
            transaction.on_commit(lambda: _notice(workspace, pk))
        elif failing >= DISABLE_AFTER and endpoint.notice_sent_at is not None:
            _disable(
                endpoint,
                now,
                _("Every attempt failed for %(days)d days.") % {"days": DISABLE_AFTER.days},
            )
            fields += ["enabled", "disabled_at", "disabled_reason"]
    endpoint.updated_at = now
    endpoint.save(update_fields=fields)


def _disable(endpoint: WebhookEndpoint, now, reason: str) -> None:
    endpoint.enabled, endpoint.disabled_at, endpoint.disabled_reason = False, now, reason[:200]
    logger.warning("webhook endpoint %s disabled: %s", endpoint.pk, reason)


def _notice(workspace, endpoint_id: int) -> None:
    from .notices import endpoint_failing_notify

    with workspace_scope(workspace):  # after commit: the caller's scope may have ended
        endpoint = WebhookEndpoint.objects.filter(workspace=workspace, pk=endpoint_id).first()
        if endpoint is not None:
            endpoint_failing_notify(workspace=workspace, endpoint=endpoint)


def deliveries_sweep(*, workspace, now=None, grace_seconds: int = 15) -> dict:
    """Put stale claims (heartbeat older than STALE_CLAIM_SECONDS: the worker died) back to
    pending and queue every pending delivery due for more than `grace_seconds` (its own
    queued task, if any, is late or lost). Returns {"stale": n, "queued": n}. Queuing twice
    is harmless: the claim lets one task send."""
    now = now or timezone.now()
    stale = WebhookDelivery.objects.filter(
        workspace=workspace,
        status=DeliveryStatus.DELIVERING,
        heartbeat_at__lt=now - datetime.timedelta(seconds=STALE_CLAIM_SECONDS),
    ).update(status=DeliveryStatus.PENDING, claimed_by="", next_attempt_at=now, updated_at=now)
    due = list(
        WebhookDelivery.objects.filter(
            workspace=workspace,
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now - datetime.timedelta(seconds=grace_seconds),
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:5000]
    )
    workspace_id = workspace.pk
    transaction.on_commit(lambda: [_queue(workspace_id, pk, 0) for pk in due])
    return {"stale": stale, "queued": len(due)}
