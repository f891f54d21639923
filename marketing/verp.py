"""VERP return paths of campaign messages: ``bounce+<token>@<BOUNCE_DOMAIN>`` where the token
is the delivery id signed (so a forged bounce cannot name another delivery). The address
format is workspaces.mail.dsn.verp_address; a bounce that comes back to it names its
delivery through delivery_id_from_verp_token."""

from django.conf import settings
from django.core import signing

from workspaces.mail.dsn import verp_address

_SALT = "marketing.verp"


def delivery_verp_token(delivery_id: int) -> str:
    """The signed token of a delivery id ("123:<signature>", letters, digits, - _ :)."""
    return signing.Signer(salt=_SALT).sign(str(int(delivery_id)))


def delivery_id_from_verp_token(token: str) -> int | None:
    """The delivery id a token names, or None when it is not one of ours (bad signature)."""
    try:
        return int(signing.Signer(salt=_SALT).unsign(token or ""))
    except (signing.BadSignature, ValueError):
        return None


def delivery_return_path(delivery_id: int, domain: str | None = None) -> str:
    """The Return-Path (envelope sender) for a delivery's message; `domain` defaults to the
    BOUNCE_DOMAIN setting. ValueError from verp_address when it cannot be built."""
    return verp_address(delivery_verp_token(delivery_id), domain or settings.BOUNCE_DOMAIN)
