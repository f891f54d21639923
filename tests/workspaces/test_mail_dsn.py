"""Bounces, delays and complaints as Postfix, Exim, Exchange, Gmail and Hotmail send them,
VERP addresses and the JSON webhook."""

from pathlib import Path

import pytest

from workspaces.mail import dsn
from workspaces.mail.dsn import ReportError, parse_report, parse_webhook, verp_address, verp_token

FIXTURES = Path(__file__).parents[1] / "fixtures" / "mail"


def report(name):
    return parse_report((FIXTURES / name).read_bytes())


def test_postfix_user_unknown_is_a_final_hard_bounce():
    r = report("postfix_hard_bounce.eml")
    assert r.kind == "dsn"
    assert r.reporter == "mail.crm.example"
    assert r.message_id == "<delivery-17.1764472364@crm.example>"
    assert r.verp_token == "17:1tXyZa:AbC-d_ef"
    (event,) = r.events
    assert event.recipient == "nobody@example.org"
    assert (event.kind, event.severity, event.final, event.status) == (
        "bounce",
        "hard",
        True,
        "5.1.1",
    )
    assert event.remote_mta == "mx1.example.org"
    assert "User unknown" in event.diagnostic
    assert event.suppresses


def test_postfix_delay_warning_is_not_final():
    (event,) = report("postfix_delayed.eml").events
    assert (event.kind, event.severity, event.final) == ("delayed", "soft", False)
    assert event.status == "4.7.1"
    assert not event.suppresses


def test_exim_reports_each_recipient():
    r = report("exim_multi_recipient.eml")
    assert r.verp_token == "21:1tXyZc:Zz9_-x"
    assert r.message_id == "<delivery-21.1764472800@crm.example>"
    full, gone = r.events
    assert (full.recipient, full.status, full.severity) == (
        "full@example.com",
        "5.2.2",
        "permanent",
    )
    assert not full.suppresses
    # Status 5.0.0, but the server said 5.1.1: the precise code wins
    assert (gone.recipient, gone.status, gone.severity) == ("gone@example.com", "5.1.1", "hard")
    assert gone.suppresses


def test_exchange_recipient_not_found_is_hard():
    r = report("exchange_hard_bounce.eml")
    (event,) = r.events
    assert event.recipient == "m.mueller@contoso.com"
    assert event.status == "5.1.10"
    assert event.severity == "hard"
    assert r.verp_token == "33:1tXyZe:Lk_9-Pq"
    assert r.message_id == "<delivery-33.1764473100@crm.example>"


def test_gmail_authentication_block_is_a_policy_alert_not_a_suppression():
    r = report("gmail_policy_bounce.eml")
    (event,) = r.events
    assert (event.status, event.severity, event.final) == ("5.7.26", "policy", True)
    assert not event.suppresses
    assert r.verp_token == "41:1tXyZf:Gm4iL_x"


def test_arf_complaint_suppresses():
    r = report("arf_complaint.eml")
    assert r.kind == "arf"
    assert r.reporter == "Hotmail FBL"
    (event,) = r.events
    assert (event.kind, event.recipient, event.feedback_type) == (
        "complaint",
        "reader@hotmail.com",
        "abuse",
    )
    assert event.suppresses
    assert r.message_id == "<delivery-55.1764473400@crm.example>"


def test_out_of_office_reply_is_no_report():
    r = report("out_of_office.eml")
    assert r.kind == "other"
    assert r.events == ()
    assert r.verp_token == "60:1tXyZh:OoO"


def test_envelope_recipient_is_read_first():
    raw = (FIXTURES / "postfix_hard_bounce.eml").read_bytes()
    assert parse_report(raw, envelope_to="bounce+9=x@b.example").verp_token == "9:x"


def test_garbage_is_read_without_error():
    assert parse_report(b"\x00\xff not mail at all").kind == "other"
    broken = b"Content-Type: multipart/report; boundary=x\n\n--x\nContent-Type: message/delivery-status\n\n"
    assert parse_report(broken).events == ()


def test_oversized_report_is_refused(monkeypatch):
    monkeypatch.setattr(dsn, "MAX_REPORT_BYTES", 100)
    with pytest.raises(ReportError):
        parse_report(b"x" * 101)


@pytest.mark.parametrize(
    ("action", "status", "expected"),
    [
        ("failed", "5.1.1", ("bounce", "hard", True)),
        ("failed", "5.1.10", ("bounce", "hard", True)),
        ("failed", "4.4.7", ("bounce", "soft", True)),
        ("failed", "5.7.1", ("bounce", "policy", True)),
        ("failed", "5.2.2", ("bounce", "permanent", True)),
        ("delayed", "4.4.1", ("delayed", "soft", False)),
        ("delayed", "5.1.1", ("delayed", "soft", False)),
        ("delivered", "2.0.0", ("delivered", "", False)),
        ("relayed", "2.0.0", ("delivered", "", False)),
    ],
)
def test_classification(action, status, expected):
    assert dsn.classify(action, status) == expected


def test_verp_round_trip():
    token = "1234:1tXyZa:Ab-c_d"
    address = verp_address(token, "Bounces.Example.com")
    assert address == "bounce+1234=1tXyZa=Ab-c_d@bounces.example.com"
    assert verp_token(address) == token
    assert verp_token(f"Mailer <{address}>") == token
    assert verp_token("news@acme.example") == ""
    assert verp_token("bounce+@x.example") == ""


@pytest.mark.parametrize("bad", ["", "a b", "a@b", "x" * 60, "tok<en>"])
def test_verp_address_refuses_bad_tokens(bad):
    with pytest.raises(ValueError):
        verp_address(bad, "b.example")


def test_webhook_events():
    reports = parse_webhook(
        b'{"events": [{"type": "bounce", "recipient": "a@x.example", "status": "5.1.1",'
        b' "message_id": "<m1@crm>"},'
        b' {"type": "complaint", "recipient": "b@x.example", "return_path": "bounce+7=z@b.example"},'
        b' {"type": "delayed", "recipient": "c@x.example", "status": "4.2.2"}]}'
    )
    bounce, complaint, delayed = (r.events[0] for r in reports)
    assert bounce.suppresses and reports[0].message_id == "<m1@crm>"
    assert complaint.kind == "complaint" and reports[1].verp_token == "7:z"
    assert not delayed.final


def test_webhook_single_object_and_diagnostic_only():
    (r,) = parse_webhook(
        {"type": "bounce", "recipient": "a@x.example", "diagnostic": "550 5.1.2 bad domain"}
    )
    assert r.events[0].status == "5.1.2" and r.events[0].severity == "hard"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"not json", "Not JSON"),
        (b"[]", "at least one"),
        (b'{"type": "open", "recipient": "a@x"}', "type"),
        (b'{"type": "bounce", "recipient": "a@x"}', "status"),
        (b'{"type": "bounce", "status": "5.1.1"}', "recipient"),
        (b'{"type": "bounce", "recipient": 5, "status": "5.1.1"}', "string"),
        (b'[{"type": "complaint", "recipient": "a@x"}, 7]', "Event 2"),
    ],
)
def test_webhook_errors_say_what_is_wrong(payload, message):
    with pytest.raises(ReportError, match=message):
        parse_webhook(payload)
