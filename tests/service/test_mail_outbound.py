"""Mail from cases over a real SMTP server on loopback (aiosmtpd): threading headers of
replies, a replayed conversation as one thread, and two autoresponders that cannot loop."""

import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from service.models import Case, CaseMessage, MessageKind
from service.services.cases import case_reply
from service.services.inbound import inbound_ingest

from .mail_fixtures import raw

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 10},
        }
    }
    settings.SERVICE_MAIL_DOMAIN = "crm.example"
    settings.DEFAULT_FROM_EMAIL = "Acme <support@acme.example>"
    yield inbox
    controller.stop()


@pytest.fixture
def deliver(workspace, django_capture_on_commit_callbacks):
    def run(data, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return inbound_ingest(workspace=workspace, raw=data, **kwargs)

    return run


@pytest.fixture
def reply(workspace, owner, django_capture_on_commit_callbacks):
    """An agent answers on the case page (cases.case_reply); the mail goes out after the
    commit through the on_reply_added hook."""

    def send(case, text="Thanks, we are on it."):
        with django_capture_on_commit_callbacks(execute=True):
            message = case_reply(workspace=workspace, actor=owner, case=case, body=text)
        message.refresh_from_db()
        return message

    return send


def answer(sent, *, sender, body, auto_headers=""):
    """What a mail client sends back to `sent` (a message we sent): Re: subject, In-Reply-To
    and References to it."""
    refs = f"{sent['References'] or ''} {sent['Message-ID']}".strip()
    text = (
        f"From: {sender}\nTo: {sent['From']}\nSubject: Re: {sent['Subject']}\n"
        f"Message-ID: <{abs(hash((sender, sent['Message-ID'], body)))}@{sender.split('@')[1]}>\n"
        f"In-Reply-To: {sent['Message-ID']}\nReferences: {refs}\n{auto_headers}"
        "Content-Type: text/plain; charset=utf-8\n\n" + body + "\n"
    )
    return text.encode("utf-8")


def test_a_reply_threads_to_the_customers_last_message_with_a_stable_subject(smtp, deliver, reply):
    opened = deliver(raw("gmail_references.eml"), envelope_sender="")  # no acknowledgement
    sent = reply(opened.case)
    assert sent.delivery_status == "sent"
    [mail] = smtp.messages
    number = opened.case.number
    assert mail["Subject"] == f"[#{number}] Replacement for broken coffee grinder"
    assert mail["Message-ID"] == f"<{sent.message_id}>"
    assert sent.message_id.startswith(f"case-{number}.") and sent.message_id.endswith(
        "@crm.example"
    )
    assert mail["In-Reply-To"] == "<CAF3k9mZx3cS9xNy+Qe1@mail.gmail.example>"
    assert mail["References"].split()[-1] == "<CAF3k9mZx3cS9xNy+Qe1@mail.gmail.example>"
    assert "<CAF3k9mZx1aQ7vLw@mail.gmail.example>" in mail["References"]
    assert mail["X-Loop"] == "crm-acme@crm.example"
    assert mail["Auto-Submitted"] is None  # a person wrote it


def test_a_replayed_conversation_stays_one_thread(smtp, deliver, reply):
    opened = deliver(raw("thunderbird_8bit.eml"), envelope_sender="")
    case = opened.case
    for turn in range(3):
        reply(case, f"Answer {turn}")
        customer = answer(smtp.messages[-1], sender="bjorn@posteo.example", body=f"Question {turn}")
        assert deliver(customer).case == case
    subjects = {m["Subject"] for m in smtp.messages}
    assert subjects == {f"[#{case.number}] Kaffeemühle defekt"}
    assert Case.objects.count() == 1
    # each reply answers the customer's newest message
    last_customer = CaseMessage.objects.filter(case=case, kind=MessageKind.CUSTOMER).latest("id")
    reply(case, "Final")
    assert smtp.messages[-1]["In-Reply-To"] == f"<{last_customer.message_id}>"


@pytest.mark.parametrize("auto_headers", ["", "Auto-Submitted: auto-replied\n"])
def test_two_autoresponders_ping_ponging_produce_at_most_two_messages(smtp, deliver, auto_headers):
    """Their autoresponder writes to us; ours acknowledges; theirs answers the
    acknowledgement, and so on. A responder without any header that marks it automatic is
    the worst case: it still ends after our one acknowledgement and its one answer."""
    first = (
        "From: Vendor Robot <robot@vendor.example>\nTo: support@acme.example\n"
        "Subject: We received your order\nMessage-ID: <r0@vendor.example>\n"
        f"{auto_headers}Content-Type: text/plain\n\nThank you for your order.\n"
    ).encode()
    deliver(first)
    automatic = 0  # messages the two responders produced after the first
    for _round in range(10):
        ours = len(smtp.messages)
        if ours == 0 or smtp.messages[-1].get("X-Answered"):
            break
        smtp.messages[-1]["X-Answered"] = "yes"
        automatic += 1  # our acknowledgement
        deliver(answer(smtp.messages[-1], sender="robot@vendor.example", body="Auto: thanks!",
                       auto_headers=auto_headers))  # fmt: skip
        automatic += 1  # their answer to it
        if len(smtp.messages) == ours:
            break
    assert automatic <= 2
    assert len(smtp.messages) <= 1
    if auto_headers:
        assert smtp.messages == []  # an RFC 3834 responder gets nothing at all
    assert Case.objects.count() == 1  # the answers thread into the case


def test_acknowledgements_carry_auto_submitted_and_our_loop_token(smtp, deliver):
    opened = deliver(raw("thunderbird_8bit.eml"))
    [ack] = smtp.messages
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["X-Loop"] == "crm-acme@crm.example"
    assert ack["Subject"] == f"[#{opened.case.number}] Kaffeemühle defekt"
    assert ack["To"] == "bjorn@posteo.example"
    # our own acknowledgement coming back (a forwarding rule) opens nothing
    bounced_back = ack.as_bytes().replace(b"To: bjorn@posteo.example", b"To: support@acme.example")
    assert deliver(bounced_back).outcome == "ignored"
