"""Signed tokens of the public marketing endpoints (HMAC-SHA256 keyed by SECRET_KEY through
django.utils.crypto.salted_hmac, the primitive of django.core.signing, cut to 132 bits).

Nothing secret is stored: a token is the signed text "<workspace id>.<delivery id>" (plus
".<link position>" for a click), salted per purpose so a pixel token cannot unsubscribe and an
unsubscribe token cannot redirect. The characters are letters, digits, "_", "-", "." and ":",
so a delivery token also fits a VERP local part (workspaces/mail/dsn.py: at most 64
characters; a token is at most 45 for ids below 10^12).
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils.crypto import constant_time_compare

_SALTS = {
    "delivery": "marketing.delivery",  # unsubscribe, open pixel, VERP return path
    "click": "marketing.click",
}


@dataclass(frozen=True)
class TokenValue:
    workspace_id: int
    delivery_id: int
    position: int | None = None


SIGNATURE_CHARS = 22  # 132 bits of HMAC-SHA256: short enough for a VERP local part


@lru_cache(maxsize=16)
def _keyed(purpose: str, secret: str):
    """The HMAC-SHA256 keyed as django.utils.crypto.salted_hmac keys it (key = SHA-256 of
    salt + secret), made once per purpose and secret: a campaign signs three or more tokens
    per message."""
    key = hashlib.sha256((_SALTS[purpose] + secret).encode()).digest()
    return hmac.new(key, digestmod=hashlib.sha256)


def _signature(purpose: str, value: str) -> str:
    """salted_hmac(_SALTS[purpose], value, algorithm="sha256"), base64url, cut."""
    mac = _keyed(purpose, settings.SECRET_KEY).copy()
    mac.update(value.encode())
    return base64.urlsafe_b64encode(mac.digest()).decode()[:SIGNATURE_CHARS]


def _sign(purpose: str, value: str) -> str:
    return f"{value}:{_signature(purpose, value)}"


def delivery_token(workspace_id: int, delivery_id: int) -> str:
    """The token of one delivery (unsubscribe, open pixel, bounce return path)."""
    return _sign("delivery", f"{workspace_id}.{delivery_id}")


def click_token(workspace_id: int, delivery_id: int, position: int) -> str:
    """The token of the link at `position` (TrackedLink.position) in one delivery."""
    return _sign("click", f"{workspace_id}.{delivery_id}.{position}")


def token_read(token: str, purpose: str = "delivery") -> TokenValue | None:
    """The ids a token names, or None for a tampered, truncated or foreign token (never
    raises). `purpose` is "delivery" or "click"."""
    value, sep, signature = (token or "").rpartition(":")
    if not sep or not constant_time_compare(signature, _signature(purpose, value)):
        return None
    try:
        parts = [int(p) for p in value.split(".")]
    except ValueError:
        return None
    if purpose == "click" and len(parts) == 3:
        return TokenValue(parts[0], parts[1], parts[2])
    if purpose == "delivery" and len(parts) == 2:
        return TokenValue(parts[0], parts[1])
    return None
