"""Writes of custom field definitions on contacts and accounts: define, update, delete.
The values themselves are checked by `contacts.custom_values` and stored by the contact and
account services."""

import re

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from workspaces.changelog import ChangeAction, change_record, changed_fields, snapshot

from ..models import CustomField, CustomFieldType
from ._common import _delete_recorded, _full_clean, _require_same_workspace


def _choices_clean(field_type: str, choices, errors: dict) -> list[str]:
    if isinstance(choices, str):
        choices = re.split(r"[\n,;]", choices)
    items = []
    for c in choices or ():
        text = str(c).strip()
        if text and text not in items:
            items.append(text[:100])
    if field_type == CustomFieldType.CHOICE and not items:
        errors["choices"] = [_("A choice field needs at least one choice.")]
    if field_type != CustomFieldType.CHOICE:
        return []
    return items


def custom_field_key_for(label: str) -> str:
    """The key a label gets when none is given: its slug with underscores, at most 50 long."""
    return slugify(label).replace("-", "_")[:50]


@transaction.atomic
def custom_field_define(
    *,
    workspace,
    actor,
    entity: str,
    label: str,
    field_type: str,
    key: str = "",
    choices=(),
    required: bool = False,
    position: int | None = None,
) -> CustomField:
    """Define a custom field on contacts or accounts. `key` defaults to the slug of the
    label; it must be unique per workspace and entity. Records a change event."""
    errors: dict = {}
    key = (key or custom_field_key_for(label)).strip()
    choice_list = _choices_clean(field_type, choices, errors)
    if key and CustomField.objects.filter(workspace=workspace, entity=entity, key=key).exists():
        errors["key"] = [_("A custom field with this key exists already.")]
    if position is None:
        position = CustomField.objects.filter(workspace=workspace, entity=entity).count()
    field = CustomField(
        workspace=workspace,
        entity=entity,
        key=key,
        label=(label or "").strip(),
        field_type=field_type,
        choices=choice_list,
        required=required,
        position=position,
    )
    _full_clean(field, errors, exclude=["choices"])
    field.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=field,
        action=ChangeAction.CREATED,
        fields=["entity", "key", "label", "field_type"],
    )
    return field


@transaction.atomic
def custom_field_update(
    *,
    workspace,
    actor,
    field: CustomField,
    label: str | None = None,
    choices=None,
    required: bool | None = None,
    position: int | None = None,
) -> CustomField:
    """Change label, choices, required or position. Key and type stay: stored values and
    segments refer to them."""
    _require_same_workspace(workspace=workspace, obj=field, field="field")
    errors: dict = {}
    before = snapshot(field)
    if label is not None:
        field.label = label.strip()
    if choices is not None:
        field.choices = _choices_clean(field.field_type, choices, errors)
    if required is not None:
        field.required = required
    if position is not None:
        field.position = position
    _full_clean(field, errors, exclude=["choices"])
    changed = changed_fields(before, field)
    if changed:
        field.save()
        change_record(
            workspace=workspace,
            actor=actor,
            instance=field,
            action=ChangeAction.UPDATED,
            fields=changed,
        )
    return field


@transaction.atomic
def custom_field_delete(*, workspace, actor, field: CustomField) -> None:
    """Delete the definition. Stored values stay in the rows' JSON (no table rewrite at a
    million rows) but are no longer shown, validated or exported."""
    _require_same_workspace(workspace=workspace, obj=field, field="field")
    _delete_recorded(workspace=workspace, actor=actor, instance=field)
