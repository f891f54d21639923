"""CSV cells that no spreadsheet evaluates (OWASP CSV injection advice), for every CSV the
product writes (contact exports, the audit log)."""

import re

FORMULA_CHARS = "=+-@\t\r"
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")  # E.164 phones, signed numbers


def neutralize(value) -> str:
    """A CSV cell value that no spreadsheet will evaluate: a text starting with = + - @, tab
    or CR gets a leading "'", except a plain number (sign, digits, decimals:
    "+442079460018", "-2"), which cannot run as a formula. None is ""."""
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    if text and text[0] in FORMULA_CHARS and not PLAIN_NUMBER.fullmatch(text):
        return f"'{text}"
    return text
