"""Writes of API keys: create (the key is returned once) and revoke."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workspaces.changelog import ChangeAction, change_record, update_recorded
from workspaces.models import Membership
from workspaces.scoping import scopes_disabled
from workspaces.service_checks import full_clean_into, raise_if, same_workspace_require

from ..keys import key_generate, key_hash, roles_within
from ..models import ApiKey


def _actor_role(*, workspace, actor) -> str | None:
    """The actor's role in `workspace`; None for no actor (an operator's command)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    membership = Membership.objects.filter(workspace=workspace, user=actor).first()
    if membership is None:
        raise ValidationError({"role": _("Only members of the workspace can create API keys.")})
    return membership.role


@transaction.atomic
def api_key_create(*, workspace, actor, name: str, role: str) -> tuple[ApiKey, str]:
    """Create an API key of `workspace` acting with `role` and as `actor` (a member, or None
    for an operator's command). Returns (key row, the full key string): the string is not
    stored and cannot be shown again.

    ValidationError (by field) for an empty name, an unknown role or a role holding a
    permission the actor's own role lacks. Records a change event (without the key)."""
    errors: dict = {}
    actor_role = _actor_role(workspace=workspace, actor=actor)
    if role not in roles_within(actor_role):
        errors["role"] = [_("A key cannot have more rights than your own role.")]
    prefix, key = key_generate()
    api_key = ApiKey(
        workspace=workspace,
        name=(name or "").strip(),
        prefix=prefix,
        key_hash=key_hash(key),
        role=role,
        created_by=actor if actor_role is not None else None,
    )
    full_clean_into(api_key, errors, exclude=("role",) if "role" in errors else ())
    raise_if(errors)
    api_key.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=api_key,
        action=ChangeAction.CREATED,
        fields=["name", "prefix", "role"],
    )
    return api_key, key


@transaction.atomic
def api_key_revoke(*, workspace, actor, api_key: ApiKey) -> ApiKey:
    """Revoke `api_key` (from now on it is refused with 401). Revoking a revoked key changes
    nothing and records nothing. Records an `updated` event naming `revoked_at`."""
    same_workspace_require(workspace=workspace, obj=api_key, field="api_key")
    if api_key.revoked_at is not None:
        return api_key
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["revoked_at", "updated_at"])
    change_record(
        workspace=workspace,
        actor=actor,
        instance=api_key,
        action=ChangeAction.UPDATED,
        fields=["revoked_at"],
    )
    return api_key


LAST_USED_RESOLUTION_SECONDS = 60


def api_key_touch(*, api_key: ApiKey, now=None) -> bool:
    """Set `last_used_at` of `api_key` to `now` when it is unset or older than a minute, so a
    busy key writes at most once a minute. Operational (like a login time), so not in the
    change log. Returns whether it wrote."""
    now = now or timezone.now()
    last = api_key.last_used_at
    if last is not None and (now - last).total_seconds() < LAST_USED_RESOLUTION_SECONDS:
        return False
    with scopes_disabled():  # stamped while authenticating, before a scope exists
        ApiKey.all_workspaces.filter(pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now
    return True


def api_keys_of_member_revoke(*, workspace, actor, user, successor=None) -> dict:
    """Revoke every active key `user` created in `workspace` (a lifecycle hook: the member
    was removed or the user deactivated, so keys acting in their name stop). One UPDATE
    with an `updated` event per key. Returns {}: nothing is handed over (the member-removal
    summary lists records passed to the successor; revoked keys are in the change log)."""
    update_recorded(
        workspace=workspace,
        actor=actor,
        queryset=ApiKey.objects.filter(
            workspace=workspace, created_by=user, revoked_at__isnull=True
        ),
        revoked_at=timezone.now(),
        updated_at=timezone.now(),
    )
    return {}
