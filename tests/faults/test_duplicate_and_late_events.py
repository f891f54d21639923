"""Events delivered twice and in the wrong order, through the public endpoints: the
telephony webhook, the API's bulk ingestion and the inbound mail endpoint. No row is stored
twice and the final state is the one the events describe in their own order.

Runs on SQLite and PostgreSQL (plain HTTP requests through the test client)."""

import datetime
import json
import random
import time

import pytest
from django.test import Client
from django.urls import reverse

from callcentre.models import Call, CallEvent, CallStatus
from callcentre.services.calls import settings_get
from callcentre.services.signing import signed_headers
from service.models import Case, CaseMessage, InboundMessage
from service.services.inbound_settings import inbound_secret_rotate
from tests.api.conftest import api_key_for, key_client  # noqa: F401 (a fixture)
from tests.callcentre.call_helpers import answered_call
from tests.contacts.factories import ContactFactory
from touchpoints.models import Interaction
from workspaces.models import ChangeEvent
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db


def _telephony_post(workspace, secret, events) -> dict:
    body = json.dumps(events).encode()
    headers = signed_headers(
        secret=secret, body=body, msg_id=f"msg_{time.monotonic_ns()}", timestamp=int(time.time())
    )
    response = Client().post(
        reverse("callcentre_telephony_events", kwargs={"slug": workspace.slug}),
        data=body,
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_telephony_events_twice_and_out_of_order_give_one_correct_call(workspace):
    contact = ContactFactory(workspace=workspace, phone="+4930123456")
    with workspace_scope(workspace):
        secret = settings_get(workspace=workspace).event_secret
    events = answered_call("late-1")
    offered, answered, ended = events[0], events[2], events[5]
    # the hang-up arrives before the answer: for now the call looks abandoned
    _telephony_post(workspace, secret, [offered])
    _telephony_post(workspace, secret, [ended])
    _telephony_post(workspace, secret, [ended])  # the phone system retries
    with workspace_scope(workspace):
        call = Call.objects.get()
        assert call.status == CallStatus.ABANDONED
        touch = Interaction.objects.get(source_type="callcentre.call")
        assert touch.data["status"] == CallStatus.ABANDONED
        seq_before = ChangeEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    rest = [e for e in events if e not in (offered, ended)]
    random.Random(3).shuffle(rest)
    for event in rest:
        _telephony_post(workspace, secret, [event])
        _telephony_post(workspace, secret, [event])
    again = _telephony_post(workspace, secret, events)  # and the whole call once more
    assert again["accepted"] == 0 and again["duplicates"] == len(events)
    assert answered in rest
    with workspace_scope(workspace):
        call = Call.objects.get()
        assert call.status == CallStatus.ENDED
        assert (call.talk_seconds, call.hold_seconds, call.wrap_seconds) == (78, 10, 30)
        assert call.callback_status == ""  # the customer was reached: no call-back
        assert CallEvent.objects.count() == len(events)
        touch = Interaction.objects.get(source_type="callcentre.call")  # still one
        assert touch.contact_id == contact.pk
        assert touch.kind == "call.inbound" and touch.duration_seconds == 78
        assert touch.data["status"] == CallStatus.ENDED
        # the correction is in the change log, so the warehouse and webhooks see it too
        assert ChangeEvent.objects.filter(
            seq__gt=seq_before, model="touchpoints.interaction", object_id=touch.pk
        ).exists()


def _bulk_item(event_id, occurred_at, **extra):
    return {
        "source_system": "shop",
        "event_id": event_id,
        "occurred_at": occurred_at.isoformat(),
        "channel": "website",
        "kind": "order.placed",
        "direction": "in",
        "subject": f"Order {event_id}",
        "contact": {"external_id": "cust-7"},
        **extra,
    }


def test_bulk_interactions_twice_and_out_of_order_store_each_event_once(
    workspace,
    api_key_for,  # noqa: F811
):
    contact = ContactFactory(workspace=workspace, external_id="cust-7")
    client = key_client(api_key_for()[1])
    t0 = datetime.datetime(2026, 11, 2, 10, tzinfo=datetime.UTC)
    newest = [_bulk_item("e3", t0 + datetime.timedelta(hours=3))]
    older = [_bulk_item("e1", t0), _bulk_item("e2", t0 + datetime.timedelta(hours=1))]
    first = client.post("/api/v1/interactions/bulk/", {"interactions": newest}, format="json")
    assert first.status_code == 200, first.content
    late = client.post(
        "/api/v1/interactions/bulk/",
        {"interactions": [*older, *newest, *older]},  # late events, a retry, twice in one
        format="json",
    )
    statuses = [r["status"] for r in late.json()["results"]]
    assert statuses == ["created", "created", "duplicate", "duplicate", "duplicate"]
    with workspace_scope(workspace):
        stored = Interaction.objects.filter(source_system="shop")
        assert sorted(stored.values_list("source_event_id", flat=True)) == ["e1", "e2", "e3"]
        contact.refresh_from_db()
        # the late, older events do not move the contact's last touch back in time
        assert contact.last_interaction_at == t0 + datetime.timedelta(hours=3)


def _mail(message_id, *, sender="kim@example.org", in_reply_to="", subject="Broken kettle"):
    lines = [
        f"From: Kim <{sender}>",
        "To: support@acme.example",
        f"Subject: {subject}",
        f"Message-ID: <{message_id}>",
        "Date: Mon, 30 Nov 2026 09:00:00 +0000",
    ]
    if in_reply_to:
        lines += [f"In-Reply-To: <{in_reply_to}>", f"References: <{in_reply_to}>"]
    return ("\r\n".join(lines) + "\r\n\r\nThe kettle is broken.\r\n").encode()


def _mail_post(workspace, secret, raw) -> dict:
    response = Client().post(
        reverse("service_inbound_mail", args=[workspace.slug]),
        data=raw,
        content_type="message/rfc822",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def mail_secret(settings, workspace):
    settings.SERVICE_MAIL_DOMAIN = "crm.example"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with workspace_scope(workspace):
        return inbound_secret_rotate(workspace=workspace, actor=None)


def test_inbound_mail_twice_and_a_reply_before_its_original_make_one_case(workspace, mail_secret):
    original = _mail("first@mail.example")
    follow_up = _mail(
        "second@mail.example", in_reply_to="first@mail.example", subject="Re: Broken kettle"
    )
    assert _mail_post(workspace, mail_secret, follow_up)["outcome"] == "created"
    assert _mail_post(workspace, mail_secret, follow_up)["outcome"] == "duplicate"
    late = _mail_post(workspace, mail_secret, original)  # the first mail arrives last
    assert late["outcome"] == "threaded"
    assert _mail_post(workspace, mail_secret, original)["outcome"] == "duplicate"
    with workspace_scope(workspace):
        [case] = Case.objects.all()
        assert InboundMessage.objects.count() == 2
        ids = sorted(CaseMessage.objects.filter(case=case).values_list("message_id", flat=True))
        assert "first@mail.example" in ids and "second@mail.example" in ids


def test_a_stranger_cannot_join_a_case_by_the_id_a_reply_answers(workspace, mail_secret):
    follow_up = _mail("second@mail.example", in_reply_to="first@mail.example")
    _mail_post(workspace, mail_secret, follow_up)
    stranger = _mail("first@mail.example", sender="mallory@evil.example")
    assert _mail_post(workspace, mail_secret, stranger)["outcome"] == "created"
    with workspace_scope(workspace):
        assert Case.objects.count() == 2
