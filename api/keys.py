"""API key strings (pure helpers, no queries): making one, hashing it, reading it back.

A key is `crm_<prefix>_<secret>`: `prefix` 12 characters of [a-z0-9] (shown in lists, the
lookup column), `secret` 43 characters of URL-safe base64 (32 random bytes)."""

import hashlib
import hmac
import re
import secrets
import string

PREFIX_LENGTH = 12
SECRET_BYTES = 32
_PREFIX_ALPHABET = string.ascii_lowercase + string.digits
_KEY_RE = re.compile(r"^crm_([a-z0-9]{12})_([A-Za-z0-9_-]{20,200})$")


def key_generate() -> tuple[str, str]:
    """A new key: (prefix, full key string)."""
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
    return prefix, f"crm_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"


def key_hash(key: str) -> str:
    """SHA-256 of the whole key, 64 hex characters. Fast on purpose: the key carries 256
    random bits, so a slow password hash would add cost and no protection."""
    return hashlib.sha256(key.encode()).hexdigest()


def key_prefix(key: str) -> str | None:
    """The prefix of a well-formed key string, else None."""
    match = _KEY_RE.match(key or "")
    return match.group(1) if match else None


def key_matches(key: str, stored_hash: str) -> bool:
    """Whether `key` hashes to `stored_hash` (constant-time comparison)."""
    return hmac.compare_digest(key_hash(key), stored_hash)


_RANK = {"owner": 4, "admin": 3, "manager": 2, "readonly": 0}  # others: 1


def roles_within(role: str | None) -> list[str]:
    """The roles a key made by a member with `role` may have, in Role order: none ranked
    above `role` (owner > admin > manager > sales, marketing, service > read-only) and none
    holding a permission `role` lacks (workspaces.roles.PERMISSIONS; so a sales rep cannot
    make a read-only key, which may read marketing). None (an operator's command): every
    role."""
    from workspaces.roles import PERMISSIONS, Role

    if role is None:
        return list(Role.values)
    return [
        candidate
        for candidate in Role.values
        if _RANK.get(candidate, 1) <= _RANK.get(role, 1)
        and all(role in holders for holders in PERMISSIONS.values() if candidate in holders)
    ]
