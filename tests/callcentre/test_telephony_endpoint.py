"""The public telephony endpoint: signed events are stored, every signature failure is a 401
that stores nothing and answers the same as an unknown workspace (the reason only in the log),
bad JSON, impossible or out-of-range times a 400 with the reason, a large body a 413; the Asterisk
queue_log mapping and its import command; the sweeper task."""

import datetime
import json
import time
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from callcentre.asterisk import agent_ref, queue_log_events
from callcentre.models import AgentLine, Call, CallEvent, CallStatus
from callcentre.services.calls import settings_get
from callcentre.services.signing import signed_headers
from callcentre.tasks import calls_sweep_task
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

from .call_helpers import T0, answered_call, ev

pytestmark = [pytest.mark.django_db]

SAMPLE = Path(__file__).parent / "queue_log_sample.txt"


def _secret(workspace):
    with workspace_scope(workspace):
        return settings_get(workspace=workspace).event_secret


def post(client, workspace, body, *, secret=None, timestamp=None, headers=None):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    signed = signed_headers(
        secret=secret or _secret(workspace),
        body=data,
        msg_id="msg_1",
        timestamp=int(time.time()) if timestamp is None else timestamp,
    )
    if headers is not None:
        signed = headers
    return client.post(
        reverse("callcentre_telephony_events", kwargs={"slug": workspace.slug}),
        data=data,
        content_type="application/json",
        headers=signed,
    )


def _count(workspace):
    with workspace_scope(workspace):
        return CallEvent.objects.count()


def test_a_signed_list_of_events_is_stored_and_a_retry_is_a_duplicate(client, workspace):
    response = post(client, workspace, answered_call())
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 7
    again = post(client, workspace, answered_call())
    assert again.json()["accepted"] == 0 and again.json()["duplicates"] == 7
    with workspace_scope(workspace):
        assert Call.objects.get().status == CallStatus.ENDED


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("no_headers", "missing signature headers"),
        ("wrong_secret", "does not match"),
        ("old", "more than 5 minutes"),
        ("tampered", "does not match"),
        ("other_workspace", "does not match"),
    ],
)
def test_signature_failures_are_401_and_store_nothing(
    client, workspace, other_workspace, case, reason, caplog
):
    body = json.dumps([ev("offered", 0)]).encode()
    if case == "no_headers":
        response = post(client, workspace, body, headers={})
    elif case == "wrong_secret":
        response = post(client, workspace, body, secret="whsec_" + "A" * 44)
    elif case == "old":
        response = post(client, workspace, body, timestamp=int(time.time()) - 301)
    elif case == "other_workspace":
        response = post(client, workspace, body, secret=_secret(other_workspace))
    else:
        headers = signed_headers(secret=_secret(workspace), body=body, msg_id="m")
        response = client.post(
            reverse("callcentre_telephony_events", kwargs={"slug": workspace.slug}),
            data=body.replace(b"c1", b"c2"),
            content_type="application/json",
            headers=headers,
        )
    assert response.status_code == 401
    assert response.json() == {"error": "Unknown workspace or wrong signature."}
    assert reason in _logged_401(caplog)
    assert _count(workspace) == 0


def _logged_401(caplog) -> str:
    return " ".join(
        r.getMessage() for r in caplog.records if r.name == "callcentre.views.telephony_endpoint"
    )


def test_a_signature_made_by_hand_to_the_scheme_is_accepted(client, workspace):
    """What a phone system's own code computes from the Standard Webhooks text: HMAC-SHA256
    with the base64-decoded key after "whsec_" over "<id>.<timestamp>.<body>"."""
    import base64
    import hashlib
    import hmac

    body = json.dumps([ev("offered", 0)]).encode()
    stamp = str(int(time.time()))
    key = base64.b64decode(_secret(workspace).removeprefix("whsec_"))
    digest = hmac.new(key, b"hand-1." + stamp.encode() + b"." + body, hashlib.sha256).digest()
    headers = {
        "webhook-id": "hand-1",
        "webhook-timestamp": stamp,
        "webhook-signature": "v1,bogus v1," + base64.b64encode(digest).decode(),
    }
    response = post(client, workspace, body, headers=headers)
    assert response.status_code == 200, response.content
    assert _count(workspace) == 1


def test_a_body_that_is_not_utf8_is_refused_with_the_reason(client, workspace, caplog):
    body = b'[{"call_id": "\xff"}]'
    headers = {"webhook-id": "m", "webhook-timestamp": str(int(time.time()))}
    response = client.post(
        reverse("callcentre_telephony_events", kwargs={"slug": workspace.slug}),
        data=body,
        content_type="application/json",
        headers={**headers, "webhook-signature": "v1,eA=="},
    )
    assert response.status_code == 401
    assert "not UTF-8" in _logged_401(caplog)
    assert _count(workspace) == 0


def test_unknown_workspace_and_missing_headers_answer_the_same(client, workspace, caplog):
    """The answer does not tell which workspace slugs exist; the log tells the operator."""
    url = reverse("callcentre_telephony_events", kwargs={"slug": "nope"})
    unknown = client.post(url, data=b"{}", content_type="application/json")
    unsigned = post(client, workspace, b"{}", headers={})
    assert unknown.status_code == unsigned.status_code == 401
    assert unknown.content == unsigned.content
    assert unknown.headers["Content-Type"] == unsigned.headers["Content-Type"]
    assert "'nope'" in _logged_401(caplog) and "unknown workspace" in _logged_401(caplog)
    big = b"[" + b" " * 300_000 + b"]"
    assert client.post(url, data=big, content_type="application/json").status_code == 413


def test_bad_json_and_invalid_events_are_400_with_the_reason(client, workspace):
    response = post(client, workspace, b"{not json")
    assert response.status_code == 400 and "not JSON" in response.json()["error"]
    response = post(client, workspace, [ev("offered", 0), {"call_id": "2", "event": "boom"}])
    assert response.status_code == 400
    assert "event 1" in response.json()["error"]
    assert _count(workspace) == 0  # the valid first event was not stored either


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ([ev("offered", 0), ev("ended", 9, at="2026-13-45T00:00:00")], "event 1: 'at' is not"),
        ([ev("offered", 0, at="2026-11-30T09:00:00+25:00")], "event 0: 'at' is not a valid"),
        (b"[" * 50_000, "nested too deeply"),
        (b'[{"call_id": "c1", "event": "offered", "at": "2026-11-30T09:00:00", "x": NaN}]', "NaN"),
        (
            b'[{"call_id": "c1", "event": "offered", "at": "2026-11-30T09:00:00", "x": -Infinity}]',
            "-Infinity",
        ),
        (
            b'[{"call_id": "c1", "event": "offered", "at": "2026-11-30T09:00:00", "x": 1e999}]',
            "too large",
        ),
        ([ev("offered", 0, at="0001-01-01T00:00:00")], "event 0: 'at' is before 2000-01-01"),
        ([ev("offered", 0, at="0001-01-01T00:00:00+01:00")], "event 0: 'at' is before 2000"),
        ([ev("offered", 0, at="1999-12-31T23:59:59Z")], "event 0: 'at' is before 2000-01-01"),
        ([ev("offered", 0, at="9999-12-31T23:59:59-01:00")], "more than one day in the future"),
        ([ev("offered", 0, at="2026-12-01T09:00:01+00:00")], "more than one day in the future"),
    ],
)
def test_impossible_times_and_json_are_400_with_the_reason(client, workspace, body, reason):
    with time_machine.travel(T0, tick=False):
        response = post(client, workspace, body)
    assert response.status_code == 400, response.content
    assert reason in response.json()["error"]
    assert "nothing was stored" in response.json()["error"]
    assert _count(workspace) == 0


def test_a_time_up_to_one_day_ahead_is_taken(client, workspace):
    with time_machine.travel(T0, tick=False):
        response = post(client, workspace, [ev("offered", 0, at="2026-12-01T09:00:00+00:00")])
    assert response.status_code == 200, response.content


def test_durations_from_far_apart_events_are_clamped_to_a_day(client, workspace):
    """Events years apart (each time accepted) give durations of at most 24 h, so no integer
    column of the call or of the KPIs overflows."""
    events = [
        ev("offered", 0, queue="q", at="2000-01-01T00:00:00Z"),
        ev("answered", 0, agent="201", at="2005-01-01T00:00:00Z"),
        ev("hold", 0, at="2010-01-01T00:00:00Z"),
        ev("resume", 0, at="2010-01-01T00:01:00Z"),
        ev("ended", 0, at="2020-01-01T00:00:00Z"),
        ev("wrapped", 0, at="2026-11-30T00:00:00Z"),
    ]
    with time_machine.travel(T0, tick=False):
        assert post(client, workspace, events).status_code == 200
    with workspace_scope(workspace):
        call = Call.objects.get()
    day = 24 * 3600
    assert (call.wait_seconds, call.wrap_seconds, call.hold_seconds) == (day, day, 60)
    assert call.talk_seconds == day - 60


def test_a_too_large_body_is_413(client, workspace):
    body = json.dumps([ev("offered", 0, notes="x" * 300_000)]).encode()
    response = post(client, workspace, body)
    assert response.status_code == 413
    assert _count(workspace) == 0


def test_only_post(client, workspace):
    url = reverse("callcentre_telephony_events", kwargs={"slug": workspace.slug})
    assert client.get(url).status_code == 405


def test_a_rotated_secret_refuses_the_old_one(client, workspace, owner):
    from callcentre.services.calls import secret_rotate

    old = _secret(workspace)
    with workspace_scope(workspace):
        new = secret_rotate(workspace=workspace, actor=owner)
    assert new != old and new.startswith("whsec_")
    assert post(client, workspace, [ev("offered", 0)], secret=old).status_code == 401
    assert post(client, workspace, [ev("offered", 0)], secret=new).status_code == 200


# --- Asterisk ------------------------------------------------------------------------------


def test_asterisk_lines_map_to_generic_events():
    line = "1764493210|1764493200.1|support|Local/201@from-queue/n|CONNECT|9|1764493210.5|4"
    (event,) = queue_log_events(line)
    assert event["event"] == "answered" and event["agent"] == "201"
    assert event["queue"] == "support" and event["call_id"] == "1764493200.1"
    assert event["at"] == "2025-11-30T09:00:10+00:00"
    assert [e["event"] for e in queue_log_events("1|c|q|SIP/1|TRANSFER|9|ctx|1|2")] == [
        "transferred",
        "ended",
    ]
    assert queue_log_events("1|c|q|NONE|EXITWITHTIMEOUT|1|1|30")[0]["disposition"] == "timeout"
    assert queue_log_events("1|NONE|NONE|NONE|QUEUESTART|") == []
    assert queue_log_events("garbage") == []
    assert queue_log_events("2025-11-30 09:00:10.123|c|q|NONE|ABANDON|1|1|5")[0]["at"].startswith(
        "2025-11-30T09:00:10"
    )
    assert agent_ref("PJSIP/201") == "201" and agent_ref("SIP/201-0000a") == "201"
    assert agent_ref("NONE") == ""


def test_import_queue_log_builds_the_calls_and_a_second_import_adds_nothing(
    workspace, member_factory, capsys
):
    agent = member_factory(Role.SERVICE)
    with workspace_scope(workspace):
        AgentLine.objects.create(workspace=workspace, user=agent, ref="201")
    call_command("import_queue_log", str(SAMPLE), workspace=workspace.slug)
    assert "13 events stored" in capsys.readouterr().out
    with workspace_scope(workspace):
        calls = {c.provider_call_id: c for c in Call.objects.all()}
    answered = calls["1764493200.1"]
    assert answered.status == CallStatus.ENDED and answered.agent == agent
    assert answered.called_number == "+4940555000" and answered.caller_number == "+4930123456"
    assert answered.wait_seconds == 9 and answered.talk_seconds == 90
    assert answered.offered_at < answered.queued_at  # DID before the queue
    assert calls["1764493400.2"].status == CallStatus.ABANDONED
    assert calls["1764493400.2"].wait_seconds == 60
    assert calls["1764493400.2"].callback_status == "pending"
    assert calls["1764493500.3"].transfers == 1
    assert calls["1764493500.3"].status == CallStatus.ENDED
    assert calls["1764493600.4"].disposition == "timeout"
    assert "unknown_queue" in calls["1764493600.4"].flags
    call_command("import_queue_log", str(SAMPLE), workspace=workspace.slug)
    assert "0 events stored, 13 already known" in capsys.readouterr().out


# --- the sweeper task ----------------------------------------------------------------------


def test_the_sweeper_task_closes_old_open_calls_per_workspace(client, workspace, other_workspace):
    with time_machine.travel(T0, tick=False):
        post(client, workspace, [ev("offered", 0, "old", queue="q")])
        post(client, other_workspace, [ev("offered", 0, "old", queue="q")])
    with time_machine.travel(T0 + datetime.timedelta(hours=5), tick=False):
        post(client, workspace, [ev("offered", 5 * 3600, "new", queue="q")])
        assert calls_sweep_task.delay().get() == 2
    for ws, expected in (
        (workspace, CallStatus.INCOMPLETE),
        (other_workspace, CallStatus.INCOMPLETE),
    ):
        with workspace_scope(ws):
            assert Call.objects.get(provider_call_id="old").status == expected
    with workspace_scope(workspace):
        assert Call.objects.get(provider_call_id="new").status == CallStatus.OFFERED
