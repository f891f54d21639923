"""The workspace's inbound mail endpoint: its secret (only a sha256 hash is stored; the
secret is shown once, when it is made) and whether new cases are acknowledged."""

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from workspaces.changelog import change_record

from ..models.mailin import InboundSettings


def secret_hash(secret: str) -> str:
    """The stored form of an endpoint secret: sha256 hex. A random 256-bit secret needs no
    slow password hash: nothing can be guessed from its digest."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def inbound_secret_rotate(*, workspace, actor) -> str:
    """Make a new endpoint secret for `workspace` and return it (43 URL-safe characters);
    the previous secret stops working at once. Records a change event (no secret in it)."""
    secret = secrets.token_urlsafe(32)
    row, _created = InboundSettings.objects.select_for_update().get_or_create(workspace=workspace)
    row.secret_hash = secret_hash(secret)
    row.secret_rotated_at = timezone.now()
    row.save(update_fields=["secret_hash", "secret_rotated_at", "updated_at"])
    change_record(
        workspace=workspace, actor=actor, instance=row, action="updated", fields=["secret"]
    )
    return secret


def inbound_secret_check(*, workspace, secret: str) -> bool:
    """Whether `secret` is `workspace`'s current endpoint secret (constant-time compare);
    False when none was made yet."""
    row = InboundSettings.objects.filter(workspace=workspace).first()
    if row is None or not row.secret_hash or not secret:
        return False
    return hmac.compare_digest(row.secret_hash, secret_hash(secret))


@transaction.atomic
def inbound_settings_update(*, workspace, actor, auto_acknowledge: bool) -> InboundSettings:
    """Switch the automatic acknowledgement of new cases on or off."""
    row, _created = InboundSettings.objects.select_for_update().get_or_create(workspace=workspace)
    row.auto_acknowledge = auto_acknowledge
    row.save(update_fields=["auto_acknowledge", "updated_at"])
    change_record(
        workspace=workspace,
        actor=actor,
        instance=row,
        action="updated",
        fields=["auto_acknowledge"],
    )
    return row
