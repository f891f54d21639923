"""Email to case through inbound_ingest with real client messages: threading order,
idempotence, contacts, attachments, review, bounces, loop protection and outbound threading."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from contacts.models import Contact
from contacts.services.contacts import contact_create
from service.mail.parsing import parse_message
from service.models import (
    Case,
    CaseAttachment,
    CaseCounter,
    CaseMessage,
    DeliveryStatus,
    InboundMessage,
    InboundStatus,
    MessageKind,
)
from service.models.mailin import CaseLink, UndeliverableAddress
from service.services.inbound import inbound_ingest
from service.services.mail_out import case_message_email_queue
from touchpoints.models import Interaction

from .mail_fixtures import raw

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]


@pytest.fixture(autouse=True)
def _mail_settings(settings):
    settings.SERVICE_MAIL_DOMAIN = "crm.example"
    settings.DEFAULT_FROM_EMAIL = "Acme <support@acme.example>"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def message(
    *,
    sender="martina.keller@hofmann-bau.example",
    subject="Lieferung verspätet",
    msg_id="first@hofmann-bau.example",
    body="Die Lieferung fehlt.",
    extra="",
):
    head = f"From: Martina Keller <{sender}>\nTo: support@acme.example\nSubject: {subject}\n"
    if msg_id:
        head += f"Message-ID: <{msg_id}>\n"
    head += "Date: Mon, 09 Mar 2026 10:00:00 +0100\n" + extra
    head += "Content-Type: text/plain; charset=utf-8\nMIME-Version: 1.0\n\n"
    return (head + body + "\n").encode("utf-8")


def ingest(workspace, data, **kwargs):
    return inbound_ingest(workspace=workspace, raw=data, **kwargs)


def start_numbers_at(workspace, number):
    CaseCounter.objects.update_or_create(workspace=workspace, defaults={"last_number": number - 1})


def agent_reply(case, message_id, to="martina.keller@hofmann-bau.example"):
    return CaseMessage.objects.create(
        workspace=case.workspace,
        case=case,
        kind=MessageKind.REPLY,
        to_addresses=to,
        subject=f"[#{case.number}] {case.subject}",
        body_text="We are on it.",
        message_id=message_id,
        delivery_status=DeliveryStatus.SENT,
    )


@pytest.fixture
def case_1001(workspace):
    start_numbers_at(workspace, 1001)
    result = ingest(workspace, message())
    assert result.outcome == "created" and result.case.number == 1001
    agent_reply(result.case, "case-1001.7d3e9b2a@crm.example")
    mail.outbox.clear()
    return result.case


def test_a_new_message_opens_a_case_with_a_new_contact(workspace):
    result = ingest(workspace, raw("thunderbird_8bit.eml"))
    case = result.case
    assert result.outcome == "created"
    assert case.subject == "Kaffeemühle defekt" and case.channel == "email"
    contact = case.contact
    assert (contact.first_name, contact.last_name) == ("Björn", "Sørensen")
    assert contact.email == "bjorn@posteo.example"
    [entry] = CaseMessage.objects.filter(case=case, kind=MessageKind.CUSTOMER)
    assert "Ersatzmahlwerk" in entry.body_text
    assert entry.inbound.status == InboundStatus.PROCESSED
    assert Interaction.objects.filter(contact=contact, kind="case.customer_message").count() == 1


def test_a_known_sender_keeps_their_contact_found_by_either_address(workspace):
    known = contact_create(
        workspace=workspace,
        actor=None,
        last_name="Sørensen",
        email="old@posteo.example",
        email2="BJORN@posteo.example",
    )
    result = ingest(workspace, raw("thunderbird_8bit.eml"))
    assert result.case.contact == known
    assert Contact.objects.count() == 1


def test_outlook_reply_with_in_reply_to_only_threads_into_its_case(workspace, case_1001):
    result = ingest(workspace, raw("outlook_in_reply_to.eml"))
    assert (result.outcome, result.case) == ("threaded", case_1001)
    assert Case.objects.count() == 1
    assert not result.acknowledged


def test_gmail_references_chain_threads_on_an_older_id(workspace):
    start_numbers_at(workspace, 1002)
    opener = ingest(workspace, message(sender="owen.gallagher@gmail.example", msg_id="o1@x"))
    agent_reply(opener.case, "case-1002.aa11bb22@crm.example")  # only the older reply is known
    result = ingest(workspace, raw("gmail_references.eml"))
    assert (result.outcome, result.case) == ("threaded", opener.case)


def test_stripped_headers_thread_by_the_number_for_a_participant(workspace, case_1001):
    result = ingest(workspace, raw("stripped_number.eml"))
    assert (result.outcome, result.case) == ("threaded", case_1001)


def test_a_stranger_quoting_a_number_opens_a_new_case(workspace, case_1001):
    result = ingest(workspace, raw("stranger_number.eml"))
    assert result.outcome == "created"
    assert result.case != case_1001
    assert CaseMessage.objects.filter(case=case_1001, kind=MessageKind.CUSTOMER).count() == 1


def test_a_german_wg_forward_opens_a_new_linked_case(workspace, case_1001):
    result = ingest(workspace, raw("forward_wg.eml"))
    assert result.outcome == "forwarded"
    assert result.case != case_1001
    assert CaseLink.objects.get(case=result.case).linked_case == case_1001
    assert result.case.contact.email == "jonas.brandt@hofmann-bau.example"


def test_a_reply_reopens_a_resolved_case(workspace, case_1001):
    Case.objects.filter(pk=case_1001.pk).update(status="resolved")
    ingest(workspace, raw("outlook_in_reply_to.eml"))
    case_1001.refresh_from_db()
    assert (case_1001.status, case_1001.reopen_count) == ("open", 1)


def test_the_same_message_twice_makes_one_entry(workspace):
    first = ingest(workspace, raw("thunderbird_8bit.eml"))
    second = ingest(workspace, raw("thunderbird_8bit.eml"))
    assert second.outcome == "duplicate" and second.case == first.case
    assert InboundMessage.objects.count() == 1
    assert CaseMessage.objects.filter(kind=MessageKind.CUSTOMER).count() == 1


def test_one_message_to_two_of_our_addresses_makes_one_entry(workspace):
    data = raw("gmail_references.eml")
    ingest(workspace, data)
    again = data.replace(b"Delivered-To: support@acme.example", b"Delivered-To: sales@acme.example")
    assert ingest(workspace, again).outcome == "duplicate"
    assert Case.objects.count() == 1


def test_without_message_id_the_content_hash_dedupes(workspace):
    data = message(msg_id="")
    first = ingest(workspace, data)
    second = ingest(workspace, b"Received: by relay.example\n" + data)
    assert first.inbound.message_id == ""
    assert second.outcome == "duplicate"
    assert ingest(workspace, message(msg_id="", body="Other text")).outcome == "created"


def test_attachments_are_stored_with_their_decoded_names(workspace, settings):
    result = ingest(workspace, raw("rfc2047_2231.eml"))
    files = CaseAttachment.objects.order_by("id")
    assert [f.filename for f in files] == ["Rechnung März 2026.pdf", "Foto der Größe № 88.jpg"]
    assert files[0].file.read().startswith(b"%PDF-1.4")
    assert result.case.subject == "Reklamation: Größe falsch (Bestellung № 88)"


def test_an_attachment_over_the_limit_becomes_a_note(workspace, settings):
    settings.SERVICE_MAIL_MAX_ATTACHMENT_BYTES = 1000
    result = ingest(workspace, raw("rfc2047_2231.eml"))
    assert CaseAttachment.objects.count() == 1
    note = CaseMessage.objects.get(case=result.case, kind=MessageKind.NOTE)
    assert "Foto der Größe № 88.jpg (2054 bytes) was over the attachment limit" in note.body_text


def test_an_unparseable_message_is_kept_raw_for_review(workspace):
    data = raw("broken.eml")
    result = ingest(workspace, data)
    assert (result.outcome, result.case) == ("review", None)
    stored = InboundMessage.objects.get()
    assert stored.status == InboundStatus.REVIEW and bytes(stored.raw) == data
    assert "no readable sender" in stored.error
    assert Case.objects.count() == 0


def test_cp1252_html_only_mail_is_stored_sanitised(workspace):
    result = ingest(workspace, raw("outlook_cp1252_html.eml"))
    entry = CaseMessage.objects.get(case=result.case, kind=MessageKind.CUSTOMER)
    assert "1.249,00 € ist falsch" in entry.body_text
    assert "<script" not in entry.body_html and "<p>" in entry.body_html


@pytest.mark.parametrize(
    "name",
    [
        "iso2022jp_no_charset.eml",
        "lying_charset.eml",
        "lying_utf8_cp1252.eml",
        "outlook_in_reply_to.eml",
        "gmail_references.eml",
    ],
)
def test_every_client_style_opens_a_readable_case(workspace, name):
    result = ingest(workspace, raw(name))
    assert result.outcome == "created"
    parsed = parse_message(raw(name), max_attachment_bytes=1 << 20)
    entry = CaseMessage.objects.get(case=result.case, kind=MessageKind.CUSTOMER)
    assert entry.body_text == parsed.body_text and "\ufffd" not in entry.body_text
    assert result.inbound.status == InboundStatus.PROCESSED


# --- bounces --------------------------------------------------------------------------


def test_a_dsn_for_a_reply_marks_it_failed_and_the_address_undeliverable(workspace):
    start_numbers_at(workspace, 1003)
    opener = ingest(workspace, message(sender="anna.old@gone.example", msg_id="a1@gone.example"))
    reply = agent_reply(opener.case, "case-1003.0badf00d@crm.example", to="anna.old@gone.example")
    result = ingest(workspace, raw("dsn_reply.eml"))
    assert (result.outcome, result.case) == ("bounce", opener.case)
    assert Case.objects.count() == 1
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED and "5.1.1" in reply.delivery_error
    failure = CaseMessage.objects.get(
        case=opener.case, kind=MessageKind.SYSTEM, inbound__isnull=False
    )
    assert "anna.old@gone.example" in failure.body_text
    gone = UndeliverableAddress.objects.get()
    assert (gone.address, gone.status) == ("anna.old@gone.example", "5.1.1")


def test_a_dsn_for_a_message_we_did_not_send_opens_nothing(workspace):
    result = ingest(workspace, raw("dsn_reply.eml"))
    assert (result.outcome, result.case) == ("ignored", None)
    assert Case.objects.count() == 0
    assert InboundMessage.objects.get().status == InboundStatus.IGNORED


def test_a_reply_to_an_undeliverable_address_is_not_sent(
    workspace, django_capture_on_commit_callbacks
):
    opener = ingest(workspace, message(sender="anna.old@gone.example", msg_id="a1@gone.example"))
    UndeliverableAddress.objects.create(
        workspace=workspace, address="anna.old@gone.example", address_key="anna.old@gone.example"
    )
    mail.outbox.clear()
    reply = CaseMessage.objects.create(
        workspace=workspace, case=opener.case, kind=MessageKind.REPLY, body_text="Hello"
    )
    with django_capture_on_commit_callbacks(execute=True):
        case_message_email_queue(message=reply)
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED
    assert mail.outbox == []


# --- loop protection --------------------------------------------------------------------


def test_a_new_case_is_acknowledged_once_with_threading_headers(
    workspace, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(workspace, message())
    assert result.acknowledged
    [ack] = mail.outbox
    assert ack.subject == f"[#{result.case.number}] Lieferung verspätet"
    assert ack.extra_headers["Auto-Submitted"] == "auto-replied"
    assert ack.extra_headers["X-Loop"] == "crm-acme@crm.example"
    assert ack.extra_headers["In-Reply-To"] == "<first@hofmann-bau.example>"
    assert ack.extra_headers["Message-ID"].endswith("@crm.example>")


def test_one_acknowledgement_per_sender_per_day(workspace, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ingest(workspace, message(msg_id="m1@x", subject="One"))
        second = ingest(workspace, message(msg_id="m2@x", subject="Two"))
    assert second.outcome == "created" and not second.acknowledged
    assert "acknowledged_recently" in second.reasons
    assert len(mail.outbox) == 1


def test_automatic_mail_is_stored_but_not_acknowledged(workspace, case_1001):
    result = ingest(workspace, raw("auto_reply.eml"))
    assert (result.outcome, result.case) == ("threaded", case_1001)
    assert {"auto_submitted", "empty_sender", "x_suppress"} <= set(result.reasons)
    assert CaseMessage.objects.filter(case=case_1001, kind=MessageKind.CUSTOMER).count() == 2


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ("Precedence: bulk\n", "precedence"),
        ("Precedence: junk\n", "precedence"),
        ("X-Autoreply: yes\n", "x_autoreply"),
        ("X-Autorespond: yes\n", "x_autorespond"),
        ("Auto-Submitted: auto-generated\n", "auto_submitted"),
    ],
)
def test_each_automatic_sign_opens_a_case_without_acknowledgement(workspace, extra, reason):
    result = ingest(workspace, message(extra=extra))
    assert result.outcome == "created" and not result.acknowledged
    assert reason in result.reasons


def test_an_empty_envelope_sender_gets_no_acknowledgement(workspace):
    result = ingest(workspace, message(), envelope_sender="")
    assert result.outcome == "created" and result.reasons == ["empty_sender"]


def test_list_headers_alone_never_drop_a_customers_mail(workspace):
    extra = "List-Id: <customers.hofmann-bau.example>\nList-Unsubscribe: <mailto:u@x.example>\n"
    result = ingest(workspace, message(extra=extra))
    assert result.outcome == "created" and result.acknowledged


def test_our_own_mail_coming_back_opens_nothing(workspace):
    own = ingest(workspace, message(sender="support@acme.example"))
    looped = ingest(workspace, message(msg_id="l2@x", extra="X-Loop: crm-acme@crm.example\n"))
    assert own.outcome == looped.outcome == "ignored"
    assert Case.objects.count() == 0
    assert InboundMessage.objects.filter(status=InboundStatus.IGNORED).count() == 2


def test_the_case_brake_stops_reopening_after_ten_messages_in_ten_minutes(workspace, case_1001):
    for n in range(10):
        result = ingest(
            workspace,
            message(msg_id=f"flood-{n}@x", extra="In-Reply-To: <case-1001.7d3e9b2a@crm.example>\n"),
        )
    assert result.case == case_1001 and "case_brake" in result.reasons
    Case.objects.filter(pk=case_1001.pk).update(status="resolved")
    ingest(
        workspace,
        message(msg_id="flood-x@x", extra="In-Reply-To: <case-1001.7d3e9b2a@crm.example>\n"),
    )
    case_1001.refresh_from_db()
    assert case_1001.status == "resolved"  # stored, but the brake holds the case
    assert CaseMessage.objects.filter(case=case_1001, kind=MessageKind.CUSTOMER).count() == 12
    CaseMessage.objects.filter(case=case_1001).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    ingest(
        workspace,
        message(msg_id="later@x", extra="In-Reply-To: <case-1001.7d3e9b2a@crm.example>\n"),
    )
    case_1001.refresh_from_db()
    assert case_1001.status == "open"


def test_an_attachment_named_only_with_symbols_is_stored(workspace):
    data = raw("rfc2047_2231.eml").replace(
        b"filename*=UTF-8''Rechnung%20M%C3%A4rz%202026.pdf", b'filename="???"'
    )
    result = ingest(workspace, data)
    assert result.outcome == "created"
    names = sorted(CaseAttachment.objects.values_list("filename", flat=True))
    assert names == ["???", "Foto der Größe № 88.jpg"]


def test_a_cut_html_body_leaves_no_dangling_tag_on_the_case_page(workspace, client_for):
    from django.urls import reverse

    from service.mail.html import html_sanitize
    from service.services.cases import BODY_MAX_CHARS

    html = (
        "<p>"
        + "Lorem ipsum " * ((BODY_MAX_CHARS - 60) // 12)
        + '</p><p><a href="https://evil.example/login?'
        + "q" * 300
        + '">Sign in again</a> to see the whole message</p>'
    )
    head = (
        "From: Martina Keller <martina.keller@hofmann-bau.example>\nTo: support@acme.example\n"
        "Subject: Long one\nMessage-ID: <long@hofmann-bau.example>\n"
        "Date: Mon, 09 Mar 2026 10:00:00 +0100\n"
        "Content-Type: text/html; charset=utf-8\nMIME-Version: 1.0\n\n"
    )
    result = ingest(workspace, (head + html + "\n").encode())
    entry = CaseMessage.objects.get(case=result.case, kind=MessageKind.CUSTOMER)
    assert 0 < len(entry.body_html) <= BODY_MAX_CHARS
    assert html_sanitize(entry.body_html) == entry.body_html  # balanced: nothing left open
    assert 'href="https://evil.example/login?qqq' not in entry.body_html.rsplit("</p>", 1)[-1]
    page = client_for().get(
        reverse("service:case_detail", kwargs={"ws": workspace.slug, "pk": result.case.pk})
    )
    content = page.content.decode()
    message_end = content.index("Lorem ipsum")
    after = content[message_end:]
    assert 'data-testid="reply-form"' in after
    assert after.count("<a ") == after.count("</a>")
