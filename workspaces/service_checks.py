"""Checks every app's services share: unknown fields, errors keyed by field, owners that are
members, records of another workspace, and the recorded delete (a tombstone in the change log)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import changelog
from .models import Membership


def raise_if(errors: dict) -> None:
    """Raise the collected field errors at once, if there are any."""
    if errors:
        raise ValidationError(errors)


def check_unknown(fields: dict, allowed: frozenset) -> None:
    """A programming error, not user input: a service was called with a field it does not take."""
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")


def other_workspace_message() -> str:
    return _("This record belongs to another workspace.")


def same_workspace_check(*, workspace, obj, field: str, errors: dict) -> None:
    """Collect an error when `obj` (if given) belongs to another workspace."""
    if obj is not None and obj.workspace_id != workspace.pk:
        errors[field] = [other_workspace_message()]


def same_workspace_require(*, workspace, obj, field: str) -> None:
    """Refuse at once (ValidationError keyed by `field`) to work on `obj` when it belongs to
    another workspace than `workspace` (a Workspace). `obj` None passes."""
    if obj is not None and obj.workspace_id != workspace.pk:
        raise ValidationError({field: other_workspace_message()})


def owner_check(*, workspace, owner, errors: dict, field: str = "owner") -> None:
    """An owner must be a member of the workspace."""
    if owner is None:
        return
    if not Membership.objects.filter(workspace=workspace, user=owner).exists():
        errors[field] = [_("The owner must be a member of this workspace.")]


def full_clean_into(instance, errors: dict, exclude=()) -> None:
    """`full_clean` merged into the already collected errors; raises if any."""
    try:
        instance.full_clean(exclude=["workspace", *exclude])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, messages)
    raise_if(errors)


def delete_recorded(*, workspace, actor, instance, data: dict | None = None) -> None:
    """Delete `instance` with everything that cascades from it, and record a tombstone for
    every deleted row (its own under its former id, with `data`) and an `updated` event for
    every row whose reference was set to NULL (`workspaces.changelog.delete_recorded`)."""
    pk = instance.pk
    changelog.delete_recorded(workspace=workspace, actor=actor, objs=instance, data=data)
    instance.pk = pk
