"""Signatures of the telephony endpoint, in the Standard Webhooks scheme
(https://www.standardwebhooks.com): the sender signs "<webhook-id>.<webhook-timestamp>.<body>"
with HMAC-SHA256 under the workspace's `CallCentreSettings.event_secret` and sends

    webhook-id: <a unique id of the message>
    webhook-timestamp: <Unix seconds>
    webhook-signature: v1,<base64 of the HMAC>   (several, space separated, during a rotation)

The secret is "whsec_" + base64 of the key bytes (the key is the decoded part). Timestamps more
than five minutes from the server's clock are refused (replays of old messages). The
signature itself is computed by the `standardwebhooks` package (the scheme's reference
library, pinned in pyproject.toml), so any sender using a Standard Webhooks library signs
compatibly; the checks around it stay here because they give each refusal its own reason
(the server's log; the 401 itself is generic) and take the clock as a parameter (tests).
"""

import base64
import datetime
import hmac
import time

from standardwebhooks import Webhook

TOLERANCE_SECONDS = 5 * 60


class SignatureError(Exception):
    """The request is not signed by the workspace's secret; `str(exc)` says why (for the
    server's log; the 401 response does not tell it)."""


def _key(secret: str) -> bytes:
    if secret.startswith("whsec_"):
        return base64.b64decode(secret.removeprefix("whsec_"))
    return secret.encode()


def sign(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The "v1,<base64>" signature of `body` sent as message `msg_id` at `timestamp` (Unix
    seconds). Raises SignatureError for a body that is not UTF-8 text."""
    try:
        text = body.decode()
    except UnicodeDecodeError:
        raise SignatureError("the body is not UTF-8") from None
    at = datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)
    return Webhook(_key(secret)).sign(msg_id=msg_id, timestamp=at, data=text)


def signed_headers(*, secret: str, body: bytes, msg_id: str, timestamp: int | None = None) -> dict:
    """The three headers a sender adds (for tests, the import command and the README)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body),
    }


def verify(*, secret: str, headers, body: bytes, now: float | None = None) -> None:
    """Check the signature headers (a mapping, case-insensitive like request.headers) of
    `body`. Raises SignatureError with the reason: missing header, timestamp not a number or
    outside ±5 minutes, no matching v1 signature."""
    msg_id = headers.get("webhook-id") or ""
    stamp = headers.get("webhook-timestamp") or ""
    signatures = headers.get("webhook-signature") or ""
    if not (msg_id and stamp and signatures):
        raise SignatureError(
            "missing signature headers (webhook-id, webhook-timestamp, webhook-signature)"
        )
    try:
        timestamp = int(stamp)
    except ValueError:
        raise SignatureError("webhook-timestamp is not a Unix time in seconds") from None
    now = time.time() if now is None else now
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise SignatureError("webhook-timestamp is more than 5 minutes from the server's clock")
    expected = sign(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body)
    for candidate in signatures.split():
        if hmac.compare_digest(candidate.encode(), expected.encode()):
            return
    raise SignatureError("signature does not match the workspace's event secret")
