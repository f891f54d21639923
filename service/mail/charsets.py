"""Turning the bytes of a text part into text when the declared charset is missing or wrong.

Mail clients lie about charsets in a few recurring ways, and each has its own test:
- no charset parameter on ISO-2022-JP text (old Japanese clients): the bytes are 7-bit with
  ESC sequences, so "us-ascii" decodes them "successfully" into garbage: the escape sequences
  are recognised first;
- "iso-8859-1" declared on UTF-8 text (a template edited in a UTF-8 editor): any byte
  decodes in Latin-1, so a strict decode proves nothing; valid multi-byte UTF-8 is so
  unlikely by accident that it wins over a declared single-byte charset;
- "utf-8" declared on cp1252 text (Outlook's HTML-only mail): the strict decode fails, and
  charset-normalizer (a dependency of the project) picks the charset from the bytes.

`decode_text` never raises: when nothing decodes cleanly it replaces the bad bytes and says
so (`lossy=True`), and the caller keeps the raw message for review.
"""

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

# ESC sequences of ISO-2022-JP (RFC 1468): JIS X 0208-1978/1983 and JIS X 0201 Roman.
_ISO_2022_JP = re.compile(rb"\x1b\$[@B]|\x1b\([BJ]")
_SINGLE_BYTE = {
    "us-ascii",
    "ascii",
    "iso-8859-1",
    "latin-1",
    "latin1",
    "iso-8859-15",
    "windows-1252",
    "cp1252",
    "iso-8859-2",
    "windows-1250",
}
_SINGLE_BYTE_CODECS = {codecs.lookup(name).name for name in _SINGLE_BYTE}


@dataclass(frozen=True)
class Decoded:
    """Text decoded from bytes: the text, the charset used, whether it differs from the
    declared one (`corrected`) and whether bytes had to be replaced (`lossy`)."""

    text: str
    charset: str
    corrected: bool = False
    lossy: bool = False


def _known(charset: str | None) -> str | None:
    """The codec name of a declared charset, or None for an unknown one, a name Python cannot
    look up (a NUL in it) or a codec that is no text encoding (base64, zlib, rot13)."""
    if not charset:
        return None
    try:
        info = codecs.lookup(charset.strip().strip('"').lower())
    except (LookupError, ValueError):
        return None
    return info.name if getattr(info, "_is_text_encoding", True) else None


def _strict(data: bytes, charset: str) -> str | None:
    # UnicodeError, not only UnicodeDecodeError: codecs such as idna raise the base class
    try:
        return data.decode(charset)
    except (UnicodeError, LookupError):
        return None


def decode_text(data: bytes, declared: str | None) -> Decoded:
    """Decode `data` (the payload of one text part, transfer encoding already undone).
    `declared` is the charset parameter as written, None or "" when missing. Order: ISO-2022-JP
    escapes, valid UTF-8 over a single-byte declaration, the declared charset strictly,
    charset-normalizer's best guess, then the declared (or UTF-8) charset with replacement."""
    charset = _known(declared)
    if _ISO_2022_JP.search(data) and charset in (None, "ascii", "iso2022_jp"):
        text = _strict(data, "iso2022_jp")
        if text is not None:
            return Decoded(text, "iso-2022-jp", corrected=charset != "iso2022_jp")
    if data.isascii():
        return Decoded(data.decode("ascii"), charset or "us-ascii")
    if charset is None or charset in _SINGLE_BYTE_CODECS:
        text = _strict(data, "utf-8")
        if text is not None:
            return Decoded(text, "utf-8", corrected=charset not in (None, "utf-8"))
    if charset is not None:
        text = _strict(data, charset)
        if text is not None:
            return Decoded(text, charset)
    best = from_bytes(data).best()
    if best is not None:
        return Decoded(str(best), best.encoding, corrected=True)
    fallback = charset or "utf-8"
    try:
        return Decoded(data.decode(fallback, errors="replace"), fallback, lossy=True)
    except UnicodeError:  # a codec without replacement (idna): UTF-8 does the replacing
        return Decoded(data.decode("utf-8", errors="replace"), "utf-8", lossy=True)


def decode_header_bytes(value: str) -> str:
    """A header value read with surrogate escapes (raw 8-bit bytes in a header, which RFC 5322
    forbids but old clients send) as text: its bytes decoded by `decode_text`."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    raw = value.encode("utf-8", errors="surrogateescape")
    return decode_text(raw, None).text
