"""Decoding real client messages (tests/fixtures/mail/service): charsets, encoded headers,
file names, HTML and attachments."""

from service.mail.bounces import delivery_report
from service.mail.charsets import decode_text
from service.mail.html import html_sanitize, html_to_text
from service.mail.parsing import content_hash, parse_message

from .mail_fixtures import raw

LIMIT = 10 * 1024 * 1024


def parse(name, limit=LIMIT):
    return parse_message(raw(name), max_attachment_bytes=limit)


def test_outlook_reply_keeps_its_in_reply_to_and_latin1_text():
    msg = parse("outlook_in_reply_to.eml")
    assert msg.subject == "AW: [#1001] Lieferung verspätet"
    assert msg.from_name == "Keller, Martina"
    assert msg.from_address == "martina.keller@hofmann-bau.example"
    assert msg.in_reply_to == ["case-1001.7d3e9b2a@crm.example"]
    assert msg.references == []
    assert "danke für die schnelle Antwort" in msg.body_text
    assert "\r" not in msg.body_text
    assert "<style" not in msg.body_html and "Grüßen" in msg.body_html


def test_gmail_references_chain_is_read_newest_first():
    msg = parse("gmail_references.eml")
    assert msg.thread_ids == [
        "case-1002.cc33dd44@crm.example",
        "CAF3k9mZx2bR8wMx@mail.gmail.example",
        "case-1002.aa11bb22@crm.example",
        "CAF3k9mZx1aQ7vLw@mail.gmail.example",
    ]
    assert "power supply is missing — can you" in msg.body_text


def test_cp1252_html_only_outlook_is_sanitised_and_turned_into_text():
    msg = parse("outlook_cp1252_html.eml")
    assert msg.subject == "Rechnung über 1.249,00 € falsch"
    assert msg.from_name == "Jürgen Weiß"
    assert "die Rechnung über 1.249,00 € ist falsch – bitte korrigieren Sie „Position 3“." in (
        msg.body_text
    )
    assert "Grüße\nJürgen Weiß" in msg.body_text
    assert "alert" not in msg.body_text  # script content is no text
    for unsafe in ("<script", "<img", "tracker.example", "<style", "color:red"):
        assert unsafe not in msg.body_html
    assert "<p>Grüße<br>Jürgen Weiß</p>" in msg.body_html


def test_thunderbird_8bit_utf8():
    msg = parse("thunderbird_8bit.eml")
    assert msg.from_name == "Björn Sørensen"
    assert msg.subject == "Kaffeemühle defekt"
    assert "Kaffeemühle (Seriennummer KM-2024-0815)" in msg.body_text
    assert not msg.needs_review


def test_iso_2022_jp_without_charset_parameter():
    msg = parse("iso2022jp_no_charset.eml")
    assert msg.subject == "注文番号 4711 の件"
    assert msg.from_name == "山田太郎"
    assert "注文番号 4711 の商品がまだ届いていません。" in msg.body_text


def test_utf8_declared_as_latin1_reads_as_utf8():
    msg = parse("lying_charset.eml")
    assert (
        msg.body_text == "Hello, my order for the Café Crème machine (€ 349) never arrived. — Zoë"
    )
    assert msg.from_name == "Zoë Brennan"


def test_cp1252_declared_as_utf8_is_detected():
    msg = parse("lying_utf8_cp1252.eml")
    assert "la facture de décembre indique 120 € au lieu de 102 €" in msg.body_text
    assert "\ufffd" not in msg.body_text
    assert not msg.needs_review


def test_rfc2047_headers_and_rfc2231_file_names():
    msg = parse("rfc2047_2231.eml")
    assert msg.subject == "Reklamation: Größe falsch (Bestellung № 88)"
    assert msg.from_name == "Łukasz Węgrzyn"
    names = [a.filename for a in msg.attachments]
    assert names == ["Rechnung März 2026.pdf", "Foto der Größe № 88.jpg"]
    assert msg.attachments[0].data.startswith(b"%PDF-1.4")
    assert msg.attachments[1].size == 2054


def test_attachment_over_the_limit_is_kept_as_a_note():
    msg = parse("rfc2047_2231.eml", limit=1000)
    photo = msg.attachments[1]
    assert photo.too_large and photo.data is None and photo.size == 2054
    assert any("over the limit" in p for p in msg.problems)
    assert msg.attachments[0].data is not None


def test_undecodable_message_needs_review_but_is_still_read():
    msg = parse("broken.eml")
    assert msg.needs_review
    assert msg.message_id == "broken-1@nowhere.example"
    assert "\x00" not in msg.body_text
    assert any("no readable sender" in p for p in msg.problems)


def test_parse_never_raises_on_garbage():
    for data in (b"", b"\x00\xff" * 50, b"From: <\r\n\r\n", b"Content-Type: multipart/mixed\n\n--"):
        parse_message(data, max_attachment_bytes=LIMIT)


def test_content_hash_ignores_trace_headers():
    one = b"Received: by a\r\nFrom: a@b.example\r\nSubject: x\r\n\r\nbody\r\n"
    two = (
        b"Delivered-To: other@acme.example\nReceived: by b\nFrom: a@b.example\nSubject: x\n\nbody\n"
    )
    assert content_hash(one) == content_hash(two)
    assert content_hash(one) != content_hash(one.replace(b"body", b"other"))


def test_dsn_names_the_returned_message_and_the_permanent_failure():
    report = delivery_report(raw("dsn_reply.eml"))
    assert report.original_message_id == "case-1003.0badf00d@crm.example"
    [recipient] = report.recipients
    assert recipient.address == "anna.old@gone.example"
    assert recipient.status == "5.1.1" and recipient.address_gone
    assert "User unknown" in recipient.diagnostic


def test_an_autoreply_is_no_delivery_report():
    assert delivery_report(raw("auto_reply.eml")) is None


def test_decode_text_replaces_only_when_nothing_fits():
    assert decode_text("grün".encode(), "iso-8859-1").text == "grün"
    assert decode_text("grün".encode("latin-1"), "iso-8859-1").text == "grün"
    assert decode_text(b"plain", None).text == "plain"


def test_html_helpers():
    assert (
        html_to_text("<p>a&amp;b</p><ul><li>one</li><li>two</li></ul>") == "a&b\n\n- one\n\n- two"
    )
    assert 'rel="noopener noreferrer nofollow"' in html_sanitize(
        '<a href="https://x.example">x</a>'
    )
    assert "javascript" not in html_sanitize('<a href="javascript:alert(1)">x</a>')


def test_a_delay_report_is_no_failure():
    delayed = (
        raw("dsn_reply.eml")
        .replace(b"Action: failed", b"Action: delayed")
        .replace(b"Status: 5.1.1", b"Status: 4.4.1")
    )
    [recipient] = delivery_report(delayed).recipients
    assert not recipient.failed and not recipient.address_gone


def test_a_mailbox_full_failure_keeps_the_address():
    full = raw("dsn_reply.eml").replace(b"Status: 5.1.1", b"Status: 5.2.2")
    [recipient] = delivery_report(full).recipients
    assert recipient.failed and not recipient.address_gone
