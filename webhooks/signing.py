"""Standard Webhooks signing (https://www.standardwebhooks.com), through the
`standardwebhooks` library: secrets, the signature header, the headers of one attempt."""

import base64
import datetime
import secrets

from standardwebhooks.webhooks import Webhook

USER_AGENT = "CRM-webhooks/1"
RETRY_DELAYS = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
"""Seconds before each attempt, counted from the previous failure (the first from the
event): immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; 8 attempts over about a day."""


def secret_new() -> str:
    """A fresh signing secret: "whsec_" + base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def signature(signing_secrets: list[str], msg_id: str, at: datetime.datetime, body: str) -> str:
    """The webhook-signature header: "v1,<base64 HMAC-SHA256>" for each secret (the current
    one first, the previous one during a rotation), separated by a space. ValueError for a
    secret the library cannot read."""
    try:
        return " ".join(Webhook(s).sign(msg_id, at, body) for s in signing_secrets)
    except Exception as exc:  # the library raises its own errors for a bad secret
        raise ValueError("not a valid signing secret") from exc


def attempt_headers(
    signing_secrets: list[str], msg_id: str, at: datetime.datetime, body: str
) -> dict:
    """The headers of one attempt made at `at` (whole seconds): webhook-id (the same on
    every attempt), webhook-timestamp and webhook-signature (new on every attempt)."""
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature(signing_secrets, msg_id, at, body),
    }


def retry_delay(attempts: int) -> int | None:
    """Seconds to wait before the next attempt after `attempts` failed ones, or None when
    none is left (the delivery has failed)."""
    if attempts >= len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[attempts]
