"""Writes of accounts (companies): create, update and delete, with the normalisation of
their phone number (E.164), domain and name."""

from django.db import transaction

from workspaces.changelog import snapshot

from ..models import Account, CustomFieldEntity
from ..phones import domain_normalize
from ._common import (
    _check_unknown,
    _custom_clean,
    _custom_merge,
    _delete_recorded,
    _external_id_check,
    _full_clean,
    _owner_change_check,
    _require_same_workspace,
    owner_check,
)
from .contacts import phone_with_extension_normalize
from .tags import _create_tagged_recorded, _update_tagged_recorded

ACCOUNT_FIELDS = frozenset(
    {
        "name",
        "domain",
        "industry",
        "size",
        "phone",
        "phone_extension",
        "website",
        "owner",
        "external_id",
        "street",
        "postal_code",
        "city",
        "region",
        "country",
    }
)


def _account_normalize(fields: dict, errors: dict, *, region: str) -> dict:
    """`fields` normalised: phone (E.164, read with the workspace's country `region`) and its
    extension, domain, name. A field that cannot be normalised goes to `errors` instead."""
    out = dict(fields)
    phone_errors: dict = {}
    phone_with_extension_normalize(out, phone_errors, region=region)
    for name, messages in phone_errors.items():
        errors[name] = messages
        out.pop(name, None)
    if "domain" in out:
        out["domain"] = domain_normalize(out["domain"])
    if "name" in out and isinstance(out["name"], str):
        out["name"] = out["name"].strip()
    return out


@transaction.atomic
def account_create(*, workspace, actor, tags=None, custom: dict | None = None, **fields) -> Account:
    """Create an account (company). Normalises phone (E.164) and domain ("example.com");
    the owner must be a member. Records a change event."""
    _check_unknown(fields, ACCOUNT_FIELDS)
    errors: dict = {}
    fields = _account_normalize(fields, errors, region=workspace.country)
    _external_id_check(
        workspace=workspace, model=Account, instance=None, fields=fields, errors=errors
    )
    owner_check(workspace=workspace, owner=fields.get("owner"), errors=errors)
    cleaned_custom = _custom_clean(
        workspace=workspace, entity=CustomFieldEntity.ACCOUNT, values=custom or {}, errors=errors
    )
    account = Account(workspace=workspace, custom=cleaned_custom, **fields)
    _full_clean(account, errors)
    set_fields = [k for k, v in fields.items() if v not in (None, "")]
    _create_tagged_recorded(
        workspace=workspace,
        actor=actor,
        instance=account,
        tags=tags,
        fields=set_fields + (["custom"] if cleaned_custom else []),
    )
    return account


@transaction.atomic
def account_update(
    *, workspace, actor, account: Account, tags=None, custom: dict | None = None, **fields
) -> Account:
    """Change the given fields of `account`; same checks as account_create."""
    _check_unknown(fields, ACCOUNT_FIELDS)
    _require_same_workspace(workspace=workspace, obj=account, field="account")
    errors: dict = {}
    fields = _account_normalize(fields, errors, region=workspace.country)
    _external_id_check(
        workspace=workspace, model=Account, instance=account, fields=fields, errors=errors
    )
    _owner_change_check(workspace=workspace, instance=account, fields=fields, errors=errors)
    before = snapshot(account)
    _custom_merge(
        workspace=workspace,
        entity=CustomFieldEntity.ACCOUNT,
        instance=account,
        custom=custom,
        errors=errors,
    )
    for name, value in fields.items():
        setattr(account, name, value)
    _full_clean(account, errors)
    _update_tagged_recorded(
        workspace=workspace, actor=actor, instance=account, before=before, tags=tags
    )
    return account


@transaction.atomic
def account_delete(*, workspace, actor, account: Account) -> None:
    """Delete `account`. Its contacts, deals and touch points stay (without account): each
    gets an `updated` event for the cleared `account`, the account a tombstone."""
    _require_same_workspace(workspace=workspace, obj=account, field="account")
    _delete_recorded(workspace=workspace, actor=actor, instance=account)
