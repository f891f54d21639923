"""The pure decisions of email to case: threading order and the signs of automatic mail."""

from service.mail.loops import auto_reply_reasons
from service.mail.parsing import parse_message
from service.mail.threading import is_forward, subject_case_number, subject_clean, thread_decide

from .mail_fixtures import raw


def reasons(name, **kwargs):
    msg = parse_message(raw(name), max_attachment_bytes=1 << 20)
    args = {
        "headers": msg.headers,
        "x_loop": msg.x_loop,
        "from_address": msg.from_address,
        "envelope_sender": None,
        "loop_token": "crm-acme@crm.example",
        "our_addresses": {"support@acme.example"},
    }
    args.update(kwargs)
    return auto_reply_reasons(**args)


def test_known_message_id_wins_over_the_subject_number():
    decision = thread_decide(
        subject="Re: [#7] x", referenced_case_ids=[3], numbered_case_id=7, sender_takes_part=True
    )
    assert (decision.action, decision.case_id, decision.reason) == ("thread", 3, "message_id")


def test_subject_number_threads_only_for_a_participant():
    ours = thread_decide(
        subject="Re: [#7] x", referenced_case_ids=[], numbered_case_id=7, sender_takes_part=True
    )
    stranger = thread_decide(
        subject="Re: [#7] x", referenced_case_ids=[], numbered_case_id=7, sender_takes_part=False
    )
    assert (ours.action, ours.case_id) == ("thread", 7)
    assert (stranger.action, stranger.case_id, stranger.reason) == ("new", None, "stranger_number")


def test_forward_opens_a_linked_case_even_with_known_references():
    decision = thread_decide(
        subject="WG: [#7] x", referenced_case_ids=[3], numbered_case_id=7, sender_takes_part=True
    )
    assert (decision.action, decision.case_id, decision.linked_case_id) == ("forward", None, 3)


def test_forward_prefixes_in_several_languages():
    for subject in ("Fwd: a", "FW: a", "WG: a", "TR: a", "RV: a", "fw:a", "[ext] WG: a"):
        assert is_forward(subject), subject
    for subject in ("Re: Fwd: a", "AW: WG: a", "Wgtest", "Training: TR: a"):
        assert not is_forward(subject), subject


def test_subject_helpers():
    assert subject_case_number("AW: [#1001] Lieferung") == 1001
    assert subject_case_number("Order #1001") is None
    assert subject_clean("AW: Re: [#1001] Lieferung verspätet") == "Lieferung verspätet"


def test_customer_mail_gives_no_reason():
    assert reasons("outlook_in_reply_to.eml") == []
    assert reasons("thunderbird_8bit.eml") == []


def test_out_of_office_is_automatic():
    assert set(reasons("auto_reply.eml")) == {"auto_submitted", "empty_sender", "x_suppress"}


def test_each_layer_alone():
    base = {"x_loop": [], "from_address": "a@b.example", "envelope_sender": "a@b.example"}
    common = {"loop_token": "crm-acme@crm.example", "our_addresses": {"support@acme.example"}}

    def one(headers, **kw):
        return auto_reply_reasons(headers=headers, **{**base, **common, **kw})

    assert one({"auto-submitted": "auto-generated"}) == ["auto_submitted"]
    assert one({"auto-submitted": "no"}) == []
    assert one({}, envelope_sender="") == ["empty_sender"]
    assert one({}, envelope_sender="<>") == ["empty_sender"]
    for value in ("bulk", "list", "junk", "auto_reply"):
        assert one({"precedence": value}) == ["precedence"]
    assert one({"x-autoreply": "yes"}) == ["x_autoreply"]
    assert one({"x-autorespond": "x"}) == ["x_autorespond"]
    assert one({"x-auto-response-suppress": "All"}) == ["x_suppress"]
    assert one({}, x_loop=["crm-acme@crm.example"]) == ["own_loop"]
    assert one({}, from_address="Support@ACME.example") == ["own_address"]


def test_list_headers_alone_are_no_reason():
    headers = {"list-id": "<customers.lists.example>", "list-unsubscribe": "<mailto:u@x>"}
    assert (
        auto_reply_reasons(
            headers=headers,
            x_loop=[],
            from_address="a@b.example",
            envelope_sender=None,
            loop_token="t",
            our_addresses=set(),
        )
        == []
    )
