"""Sending against a real HTTP receiver on 127.0.0.1, verified with the `standardwebhooks`
library: signatures, the stable webhook-id, rotation, the retry schedule, 410, 404, the
5-day disabling after a notice, replay, claims, and the SSRF check at every delivery (the
resolver is the one thing replaced, for made-up names)."""

import datetime
import json
import socket

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from contacts.services.contacts import contact_create
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from webhooks.services.delivering import deliveries_sweep, delivery_attempt, delivery_claim
from webhooks.services.endpoints import (
    delivery_replay,
    endpoint_create,
    endpoint_secret_rotate,
    endpoint_test_send,
)
from webhooks.signing import RETRY_DELAYS
from workspaces.scoping import workspace_scope

from .helpers import deliveries_of, dispatch, endpoint_make

pytestmark = [pytest.mark.django_db]

T0 = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)


def _new_delivery(workspace, owner, endpoint, name="Ann") -> WebhookDelivery:
    """A contact.created event for `endpoint` through the real path (service, dispatch)."""
    with workspace_scope(workspace):
        contact_create(workspace=workspace, actor=owner, first_name=name)
    dispatch(workspace)
    return WebhookDelivery.all_workspaces.filter(endpoint=endpoint).order_by("-id").first()


def _attempt(workspace, delivery) -> str | None:
    with workspace_scope(workspace):
        return delivery_attempt(workspace=workspace, delivery_id=delivery.pk, worker="w1")


def _fresh(row):
    return type(row).all_workspaces.get(pk=row.pk)


def test_a_delivery_is_signed_and_verifies_with_the_library(workspace, owner, receiver):
    endpoint = endpoint_make(workspace, url=receiver.url, types=["contact.created"])
    delivery = _new_delivery(workspace, owner, endpoint)
    assert _attempt(workspace, delivery) == DeliveryStatus.SUCCEEDED
    [(headers, body)] = receiver.requests
    payload = Webhook(endpoint.secret).verify(body, headers)
    assert payload == delivery.event.payload
    assert headers["webhook-id"] == delivery.event.msg_id
    assert headers["webhook-id"].startswith("msg_")
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"].startswith("CRM-webhooks/")
    assert headers["webhook-signature"].startswith("v1,")
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJC").verify(body, headers)
    row = _fresh(delivery)
    assert (row.attempts, row.last_status_code, row.claimed_by) == (1, 200, "")
    assert _fresh(endpoint).last_success_at is not None


def test_the_retry_schedule_keeps_the_id_and_signs_each_attempt_anew(workspace, owner, receiver):
    """Attempts immediately, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; then the
    delivery has failed. The webhook-id is the same every time; the timestamp and the
    signature are new, and each attempt verifies."""
    endpoint = endpoint_make(workspace, url=receiver.url, types=["contact.created"])
    receiver.statuses = [500] * 20
    with time_machine.travel(T0, tick=False) as clock:
        delivery = _new_delivery(workspace, owner, endpoint)
        waits = []
        for attempt in range(1, 9):
            assert _attempt(workspace, delivery) is not None
            row = _fresh(delivery)
            assert row.attempts == attempt
            if attempt == 8:
                break
            assert row.status == DeliveryStatus.PENDING
            wait = (row.next_attempt_at - datetime.datetime.now(tz=datetime.UTC)).total_seconds()
            waits.append(round(wait))
            clock.shift(datetime.timedelta(seconds=wait - 1))
            assert _attempt(workspace, delivery) is None  # not due yet: not claimed
            clock.shift(datetime.timedelta(seconds=1))
        headers, body = receiver.requests[-1]
        assert Webhook(endpoint.secret).verify(body, headers)  # the last one, while fresh
    assert waits == [5, 300, 1800, 7200, 18000, 36000, 36000] == list(RETRY_DELAYS[1:])
    row = _fresh(delivery)
    assert row.status == DeliveryStatus.FAILED
    assert row.next_attempt_at is None
    assert row.last_status_code == 500
    assert len(receiver.requests) == 8
    ids = {h["webhook-id"] for h, _b in receiver.requests}
    stamps = [h["webhook-timestamp"] for h, _b in receiver.requests]
    signatures = {h["webhook-signature"] for h, _b in receiver.requests}
    assert ids == {delivery.event.msg_id}
    assert len(set(stamps)) == 8 and len(signatures) == 8
    assert _fresh(endpoint).enabled  # a day of failures does not disable it


def test_each_attempt_verifies_at_its_own_time(workspace, owner, receiver):
    endpoint = endpoint_make(workspace, url=receiver.url, types=["contact.created"])
    receiver.statuses = [503]
    with time_machine.travel(T0, tick=False) as clock:
        delivery = _new_delivery(workspace, owner, endpoint)
        _attempt(workspace, delivery)
        clock.shift(datetime.timedelta(seconds=5))
        assert _attempt(workspace, delivery) == DeliveryStatus.SUCCEEDED
        first, second = receiver.requests
        Webhook(endpoint.secret).verify(second[1], second[0])
        clock.shift(datetime.timedelta(minutes=10))  # older than the library's 5-minute window
        with pytest.raises(WebhookVerificationError):
            Webhook(endpoint.secret).verify(first[1], first[0])
    assert int(second[0]["webhook-timestamp"]) - int(first[0]["webhook-timestamp"]) == 5


def test_during_a_rotation_both_secrets_verify_and_afterwards_only_the_new(
    workspace, owner, receiver
):
    endpoint = endpoint_make(workspace, url=receiver.url, types=["contact.created"])
    old = endpoint.secret
    with time_machine.travel(T0, tick=False) as clock:
        with workspace_scope(workspace):
            new = endpoint_secret_rotate(workspace=workspace, actor=owner, endpoint=endpoint)
        assert new != old and new.startswith("whsec_")
        _attempt(workspace, _new_delivery(workspace, owner, endpoint, "During"))
        headers, body = receiver.requests[-1]
        assert len(headers["webhook-signature"].split(" ")) == 2
        assert Webhook(new).verify(body, headers)
        assert Webhook(old).verify(body, headers)
        clock.shift(datetime.timedelta(hours=24, seconds=1))
        _attempt(workspace, _new_delivery(workspace, owner, endpoint, "After"))
        headers, body = receiver.requests[-1]
        assert len(headers["webhook-signature"].split(" ")) == 1
        assert Webhook(new).verify(body, headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(old).verify(body, headers)


def test_410_gone_stops_the_retries_and_disables_the_endpoint(workspace, owner, receiver):
    endpoint = endpoint_make(workspace, url=receiver.url, types=["contact.created"])
    receiver.statuses = [410]
    first = _new_delivery(workspace, owner, endpoint, "One")
    second = _new_delivery(workspace, owner, endpoint, "Two")
    assert _attempt(workspace, first) == DeliveryStatus.FAILED
    endpoint = _fresh(endpoint)
    assert not endpoint.enabled
    assert "410" in endpoint.disabled_reason
    assert _fresh(first).attempts == 1
    # what was still queued for it is not sent any more
    assert _attempt(workspace, second) == DeliveryStatus.FAILED
    assert len(receiver.requests) == 1
    assert _fresh(second).last_error == "endpoint disabled"


def test_a_single_404_only_retries_and_never_disables(workspace, owner, receiver):
    endpoint = endpoint_make(workspace, url=receiver.url, types=["contact.created"])
    receiver.statuses = [404]
    with time_machine.travel(T0, tick=False) as clock:
        delivery = _new_delivery(workspace, owner, endpoint)
        assert _attempt(workspace, delivery) == DeliveryStatus.PENDING
        row = _fresh(endpoint)
        assert row.enabled and row.failing_since == T0
        assert _fresh(delivery).last_error == "HTTP 404"
        clock.shift(datetime.timedelta(seconds=5))
        assert _attempt(workspace, delivery) == DeliveryStatus.SUCCEEDED
    row = _fresh(endpoint)
    assert row.enabled and row.failing_since is None and row.last_success_at is not None


def test_five_days_of_failures_disable_after_a_notice_on_day_three(
    workspace, owner, receiver, client_for, django_capture_on_commit_callbacks
):
    endpoint = endpoint_make(workspace, url=receiver.url, types=["contact.created"])
    receiver.statuses = [500] * 50
    with time_machine.travel(T0, tick=False) as clock:
        for day in (0, 1, 2):
            clock.move_to(T0 + datetime.timedelta(days=day))
            _attempt(workspace, _new_delivery(workspace, owner, endpoint, f"D{day}"))
        assert mail.outbox == []
        clock.move_to(T0 + datetime.timedelta(days=3, minutes=1))
        with django_capture_on_commit_callbacks(execute=True):
            _attempt(workspace, _new_delivery(workspace, owner, endpoint, "D3"))
        assert [m.to for m in mail.outbox] == [[owner.email]]
        assert receiver.url in mail.outbox[0].body
        row = _fresh(endpoint)
        assert row.enabled and row.notice_sent_at is not None
        page = client_for().get(f"/w/{workspace.slug}/webhooks/")
        assert b'data-testid="failing-banner"' in page.content
        clock.move_to(T0 + datetime.timedelta(days=4, hours=23))
        _attempt(workspace, _new_delivery(workspace, owner, endpoint, "D4"))
        assert _fresh(endpoint).enabled
        clock.move_to(T0 + datetime.timedelta(days=5, minutes=1))
        _attempt(workspace, _new_delivery(workspace, owner, endpoint, "D5"))
    row = _fresh(endpoint)
    assert not row.enabled
    assert "5 days" in row.disabled_reason
    assert len(mail.outbox) == 1


def test_no_disabling_before_the_notice_went_out(
    workspace, owner, receiver, django_capture_on_commit_callbacks
):
    endpoint = endpoint_make(workspace, url=receiver.url, types=["contact.created"])
    receiver.statuses = [500] * 10
    with time_machine.travel(T0, tick=False) as clock:
        _attempt(workspace, _new_delivery(workspace, owner, endpoint, "First"))
        clock.move_to(T0 + datetime.timedelta(days=6))  # nothing was tried in between
        with django_capture_on_commit_callbacks(execute=True):
            _attempt(workspace, _new_delivery(workspace, owner, endpoint, "Late"))
        assert _fresh(endpoint).enabled and len(mail.outbox) == 1
        clock.shift(datetime.timedelta(minutes=1))
        _attempt(workspace, _new_delivery(workspace, owner, endpoint, "Next"))
    assert not _fresh(endpoint).enabled


def test_a_failed_delivery_is_replayed_with_the_same_webhook_id(workspace, owner, receiver):
    endpoint = endpoint_make(workspace, url=receiver.url, types=["contact.created"])
    delivery = _new_delivery(workspace, owner, endpoint)
    WebhookDelivery.all_workspaces.filter(pk=delivery.pk).update(attempts=7)
    receiver.statuses = [500]
    assert _attempt(workspace, delivery) == DeliveryStatus.FAILED
    with workspace_scope(workspace):
        replay = delivery_replay(workspace=workspace, actor=owner, delivery=_fresh(delivery))
        with pytest.raises(ValidationError):  # still pending: not replayable yet
            delivery_replay(workspace=workspace, actor=owner, delivery=replay)
    assert _attempt(workspace, replay) == DeliveryStatus.SUCCEEDED
    first, again = receiver.requests
    assert first[0]["webhook-id"] == again[0]["webhook-id"] == delivery.event.msg_id
    assert Webhook(endpoint.secret).verify(again[1], again[0])
    assert _fresh(replay).replay_of_id == delivery.pk
    assert _fresh(delivery).status == DeliveryStatus.FAILED  # the original stays as it was


def test_a_test_event_reaches_the_endpoint(workspace, owner, receiver):
    endpoint = endpoint_make(workspace, url=receiver.url, types=["deal.won"])
    with workspace_scope(workspace):
        delivery = endpoint_test_send(workspace=workspace, actor=owner, endpoint=endpoint)
    assert _attempt(workspace, delivery) == DeliveryStatus.SUCCEEDED
    headers, body = receiver.requests[0]
    payload = Webhook(endpoint.secret).verify(body, headers)
    assert payload["type"] == "webhook.test"
    assert payload["data"]["id"] == endpoint.pk


def test_two_workers_never_hold_one_delivery_and_a_dead_workers_claim_is_swept(
    workspace, owner, receiver
):
    endpoint = endpoint_make(workspace, url=receiver.url, types=["contact.created"])
    delivery = _new_delivery(workspace, owner, endpoint)
    with time_machine.travel(T0, tick=False) as clock, workspace_scope(workspace):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=T0)
        assert delivery_claim(workspace=workspace, delivery_id=delivery.pk, worker="w1")
        assert not delivery_claim(workspace=workspace, delivery_id=delivery.pk, worker="w2")
        assert deliveries_sweep(workspace=workspace)["stale"] == 0
        clock.shift(datetime.timedelta(seconds=61))
        assert deliveries_sweep(workspace=workspace)["stale"] == 1
        row = _fresh(delivery)
        assert (row.status, row.claimed_by) == (DeliveryStatus.PENDING, "")
        assert delivery_attempt(workspace=workspace, delivery_id=delivery.pk, worker="w2")
    assert len(receiver.requests) == 1
    assert _fresh(delivery).attempts == 2  # the lost attempt counts


def _resolver(monkeypatch, answers: dict[str, list[list[str]]]):
    """The n-th lookup of a made-up name gets answers[name][n] (the last again after)."""
    real = socket.getaddrinfo
    lookups = dict.fromkeys(answers, 0)

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        rounds = answers[host]
        addresses = rounds[min(lookups[host], len(rounds) - 1)]
        lookups[host] += 1
        return [
            (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (a, int(port or 443)))
            for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


@pytest.fixture
def connections(monkeypatch):
    """Every address a socket is opened to; none outside loopback leaves the machine."""
    opened = []
    real = socket.create_connection

    def create_connection(address, *args, **kwargs):
        opened.append(address)
        if not address[0].startswith("127."):
            raise ConnectionRefusedError("not from a test")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    return opened


def test_a_name_that_resolves_privately_at_delivery_is_refused_every_time(
    workspace, owner, settings, monkeypatch, connections
):
    """Saved while the name pointed at a public address; at delivery it points at the
    metadata service, then at loopback: refused each time, nothing connects."""
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    lookups = _resolver(
        monkeypatch,
        {"hooks.test": [["93.184.215.14"], ["169.254.169.254"], ["127.0.0.1"]]},
    )
    endpoint = endpoint_make(workspace, url="https://hooks.test/in", types=["contact.created"])
    delivery = _new_delivery(workspace, owner, endpoint)
    with time_machine.travel(T0, tick=False) as clock:
        WebhookDelivery.all_workspaces.filter(pk=delivery.pk).update(next_attempt_at=T0)
        assert _attempt(workspace, delivery) == DeliveryStatus.PENDING
        assert _fresh(delivery).last_error == "address not allowed"
        clock.shift(datetime.timedelta(seconds=5))
        assert _attempt(workspace, delivery) == DeliveryStatus.PENDING
        assert _fresh(delivery).last_error == "address not allowed"
    assert lookups["hooks.test"] == 3  # saved once, then resolved at every attempt
    assert connections == []


def test_private_targets_are_refused_when_saved_unless_allowed(workspace, owner, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with workspace_scope(workspace):
        for url in (
            "http://127.0.0.1:8000/hook",
            "https://127.0.0.1/hook",
            "https://10.0.0.5/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/hook",
        ):
            with pytest.raises(ValidationError) as refused:
                endpoint_create(
                    workspace=workspace, actor=owner, url=url, event_types=["contact.created"]
                )
            assert "url" in refused.value.message_dict, url
        settings.WEBHOOKS_ALLOW_PRIVATE = True
        endpoint_create(
            workspace=workspace,
            actor=owner,
            url="http://127.0.0.1:8000/hook",
            event_types=["contact.created"],
        )
    assert WebhookEndpoint.all_workspaces.filter(workspace=workspace).count() == 1


def test_the_body_sent_is_the_stored_payload(workspace, owner, receiver):
    endpoint = endpoint_make(workspace, url=receiver.url, types=["contact.created"])
    delivery = _new_delivery(workspace, owner, endpoint)
    _attempt(workspace, delivery)
    assert json.loads(receiver.requests[0][1]) == delivery.event.payload
    assert deliveries_of(endpoint) == [delivery]
