"""Signs that a message was sent by a machine (RFC 3834 and what real autoresponders send),
so that it gets no automatic acknowledgement. Such mail is still stored on its case: this
module only decides whether we may answer automatically.

Layers (each is a reason returned by `auto_reply_reasons`):
- `Auto-Submitted` with any value other than "no" (RFC 3834 §5);
- an empty envelope sender (`Return-Path: <>`, bounces and autoreplies, RFC 5321 §4.5.5);
- `Precedence: bulk | list | junk | auto_reply`;
- `X-Autoreply`, `X-Autorespond` (any value), `X-Auto-Response-Suppress` (Exchange);
- our own `X-Loop` token, or a sender that is one of our own addresses.

`List-Id` and `List-Unsubscribe` alone are no reason: customers write from mailing-list
software and newsletters' reply addresses, and their mail must reach a person.
"""

from contacts.emails import email_key

_PRECEDENCE = {"bulk", "list", "junk", "auto_reply", "auto-reply"}


def auto_reply_reasons(
    *,
    headers: dict[str, str],
    x_loop: list[str],
    from_address: str,
    envelope_sender: str | None,
    loop_token: str,
    our_addresses: set[str],
) -> list[str]:
    """Why no automatic acknowledgement may answer this message ([] when one may).
    `headers`: lower-case header names to values (ParsedMessage.headers); `envelope_sender`:
    the SMTP MAIL FROM when the channel knows it (None when unknown: then Return-Path is
    read); `our_addresses`: email keys of our mailboxes. Reasons are short codes:
    auto_submitted, empty_sender, precedence, x_autoreply, x_autorespond, x_suppress,
    own_loop, own_address."""
    reasons = []
    auto = headers.get("auto-submitted", "").split(";")[0].strip().lower()
    if auto and auto != "no":
        reasons.append("auto_submitted")
    sender = envelope_sender
    if sender is None and "return-path" in headers:
        sender = headers["return-path"]
    if sender is not None and sender.strip().strip("<>").strip() == "":
        reasons.append("empty_sender")
    if headers.get("precedence", "").strip().lower() in _PRECEDENCE:
        reasons.append("precedence")
    if "x-autoreply" in headers:
        reasons.append("x_autoreply")
    if "x-autorespond" in headers:
        reasons.append("x_autorespond")
    if "x-auto-response-suppress" in headers:
        reasons.append("x_suppress")
    if loop_token and loop_token.lower() in x_loop:
        reasons.append("own_loop")
    if from_address and email_key(from_address) in our_addresses:
        reasons.append("own_address")
    return reasons
