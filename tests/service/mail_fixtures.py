"""Raw messages of tests/fixtures/mail/service/ (real client styles, see their headers)."""

from pathlib import Path

MAIL_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "mail" / "service"


def raw(name: str) -> bytes:
    """The bytes of one fixture message, e.g. raw("outlook_in_reply_to.eml")."""
    return (MAIL_DIR / name).read_bytes()
