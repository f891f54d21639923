"""Text that ends up in a mail header (a subject naming a workspace or an activity) is one
line: Django refuses a header with a line break (BadHeaderError), which used to fail every
invitation of a workspace whose name had one.

`validate_single_line` keeps new names and subjects single-line (models and forms use it);
`header_text` makes any stored text safe for a header (old rows written before the check).
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Everything str.splitlines() breaks on, plus the other control characters.
_LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


def _is_control(char: str) -> bool:
    return char in _LINE_BREAKS or unicodedata.category(char) == "Cc"


def validate_single_line(value) -> None:
    """Raise ValidationError (code "single_line") when `value` holds a line break or another
    control character (a tab included)."""
    if isinstance(value, str) and any(_is_control(char) for char in value):
        raise ValidationError(
            _("Use a single line: line breaks and control characters are not allowed."),
            code="single_line",
        )


_CONTROL_RUN = re.compile(f"[{re.escape(_LINE_BREAKS)}\\x00-\\x1f\\x7f]+")


def header_text(value, *, max_length: int = 200) -> str:
    """`value` as one line for a mail header: every run of line breaks and control
    characters becomes one space, the ends are stripped, and text longer than `max_length`
    characters is cut with an ellipsis."""
    text = " ".join(_CONTROL_RUN.sub(" ", str(value or "")).split())
    if len(text) > max_length:
        text = text[: max_length - 1].rstrip() + "…"
    return text
