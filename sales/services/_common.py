"""Checks shared by the sales services: unknown fields, same workspace, owner membership,
full_clean with errors keyed by field, and the actor as stored on rows."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from workspaces.models import Membership


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _check_unknown(fields: dict, allowed: frozenset) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")


def _same_workspace(workspace, obj, field: str, errors: dict) -> None:
    if obj is not None and obj.workspace_id != workspace.pk:
        errors[field] = [_("This record belongs to another workspace.")]


def _owner_check(workspace, owner, errors: dict, field: str = "owner") -> None:
    if (
        owner is not None
        and not Membership.all_workspaces.filter(workspace=workspace, user=owner).exists()
    ):
        errors[field] = [_("The owner must be a member of this workspace.")]


def _full_clean(instance, errors: dict, exclude=()) -> None:
    try:
        instance.full_clean(exclude=["workspace", *exclude])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, messages)
    _raise_if(errors)


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None
