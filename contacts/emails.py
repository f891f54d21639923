"""Email addresses as people paste them, cleaned once at the edge (no queries).

`email_clean` takes off what is not part of the address: invisible characters (zero-width
space, joiner and non-joiner, word joiner, byte order mark, soft hyphen, direction marks and
other Unicode format characters), no-break and other spaces around it, a `mailto:` prefix
(and its `?subject=` part), a display name with angle brackets ("Zoe Brennan
<zoe@example.ie>"), quotes and brackets around it and trailing dots or punctuation. What is
left is the address as the person wrote it.

`normalize_email` is the stored form: cleaned and lower-cased (contacts keep addresses in
lower case). The domain stays in the form it was written in: "zoë@müller.example" is shown
as written, not as punycode.

`email_key` is the form addresses are compared in: the lower-cased local part and the domain
in its ASCII (IDNA 2008 / UTS #46) form, so "anna@müller.example" and
"anna@xn--mller-kva.example" are the same mailbox. Contacts store it beside each address
(`email_key`, `email2_key`) and every duplicate check and lookup compares keys.
"""

import re
import unicodedata
from urllib.parse import unquote

import idna

_ANGLE = re.compile(r"<\s*([^<>\s]+@[^<>\s]+?)\s*>")
_EDGE = "\"'“”„‘’‚«»<>()[]{}"
_TRAILING = ".,;:"


_ASCII_SPACES = re.compile(r"[\x00-\x1f\x7f]")


def _without_invisible(text: str) -> str:
    if text.isascii():  # no format characters in ASCII: only controls become spaces
        return _ASCII_SPACES.sub(" ", text) if not text.isprintable() else text
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cf":  # zero-width characters, BOM, soft hyphen, direction marks
            continue
        if ch.isspace() or category in ("Zs", "Zl", "Zp", "Cc"):
            out.append(" ")  # no-break and other spaces, tabs, line breaks
        else:
            out.append(ch)
    return "".join(out)


def email_clean(raw: str | None) -> str:
    """The address in `raw` as written, without invisible characters and wrapping (see the
    module's docstring); "" for an empty text. Never raises: whether the result is a valid
    address is the validator's question."""
    text = _without_invisible(str(raw or ""))
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    text = text.strip()
    if not text:
        return ""
    if match := _ANGLE.search(text):  # "Name <a@b>"
        text = match.group(1)
    text = text.strip().strip(_EDGE).strip()
    if text[:7].lower() == "mailto:":
        text = unquote(text[7:].split("?", 1)[0]).strip()
    previous = None
    while previous != text:  # '"<a@b.example>."' -> 'a@b.example'
        previous = text
        text = text.strip().strip(_EDGE).rstrip(_TRAILING)
    return text


def normalize_email(raw: str | None) -> str:
    """The stored form of an address: cleaned (email_clean) and lower-cased."""
    return email_clean(raw).lower()


def email_domain_ascii(domain: str) -> str:
    """The ASCII (punycode) form of a mail domain, lower case; the domain lower-cased as it
    is when it is no valid internationalised name."""
    domain = domain.strip().rstrip(".").lower()
    if domain.isascii() and "xn--" not in domain:
        return domain
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return domain


def email_key(raw: str | None) -> str:
    """The comparison form of an address: the cleaned address with a lower-case local part
    and the ASCII form of its domain ("Anna@Müller.Example" -> "anna@xn--mller-kva.example");
    "" for an empty text."""
    address = email_clean(raw)
    if not address:
        return ""
    local, at, domain = address.rpartition("@")
    if not at:
        return address.lower()
    return f"{local.lower()}@{email_domain_ascii(domain)}"
