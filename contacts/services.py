"""Writes on contacts, accounts, tags and custom fields (DESIGN.md §3).

Every function is keyword-only and transactional, validates with `full_clean()`, refuses
related objects of another workspace (an owner must be a member), normalises email addresses
(lower case) and phone numbers (E.164) and appends a change event. Errors are
`ValidationError`s keyed by field name (custom fields as `custom_<key>`), so forms can show
them at the field.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from workspaces.changelog import (
    ChangeAction,
    change_record,
    change_record_many,
    changed_fields,
    snapshot,
)
from workspaces.models import Membership

from .custom_fields import custom_values_clean
from .models import (
    Account,
    AccountTag,
    Contact,
    ContactTag,
    CustomField,
    CustomFieldEntity,
    CustomFieldType,
    Tag,
)
from .phones import normalize_email, normalize_phone

CONTACT_FIELDS = frozenset(
    {
        "salutation",
        "first_name",
        "last_name",
        "email",
        "email2",
        "phone",
        "mobile",
        "job_title",
        "account",
        "owner",
        "lifecycle_stage",
        "sex",
        "date_of_birth",
        "education",
        "preferred_channel",
        "language",
        "email_opt_in",
        "email_opt_in_source",
        "do_not_call",
        "do_not_mail",
        "street",
        "postal_code",
        "city",
        "region",
        "country",
    }
)
ACCOUNT_FIELDS = frozenset(
    {
        "name",
        "domain",
        "industry",
        "size",
        "phone",
        "website",
        "owner",
        "street",
        "postal_code",
        "city",
        "region",
        "country",
    }
)
CONTACT_PHONE_FIELDS = ("phone", "mobile")
CONTACT_EMAIL_FIELDS = ("email", "email2")
BULK_LIMIT = 5000  # ids per bulk action; the list page selects at most one page anyway


# ---------------------------------------------------------------- shared checks


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _check_unknown(fields: dict, allowed: frozenset) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")


def owner_check(*, workspace, owner, errors: dict, field: str = "owner") -> None:
    """An owner must be a member of the workspace."""
    if owner is None:
        return
    if not Membership.all_workspaces.filter(workspace=workspace, user=owner).exists():
        errors[field] = [_("The owner must be a member of this workspace.")]


def _check_same_workspace(*, workspace, obj, field: str, errors: dict) -> None:
    if obj is not None and obj.workspace_id != workspace.pk:
        errors[field] = [_("This record belongs to another workspace.")]


def contact_values_normalize(values: dict) -> dict:
    """Normalise the email and phone fields of `values` in place-free fashion.

    Returns a new dict; raises ValidationError keyed by field for a phone number that is no
    phone number. Shared with the importer so both paths store the same forms."""
    out = dict(values)
    errors = {}
    for name in CONTACT_EMAIL_FIELDS:
        if name in out:
            out[name] = normalize_email(out[name])
    for name in CONTACT_PHONE_FIELDS:
        if name in out:
            try:
                out[name] = normalize_phone(out[name])
            except ValidationError as exc:
                errors[name] = exc.messages
    for name in ("first_name", "last_name", "job_title"):
        if name in out and isinstance(out[name], str):
            out[name] = out[name].strip()
    _raise_if(errors)
    return out


def domain_normalize(raw: str | None) -> str:
    """ "https://www.Example.com/about" -> "example.com"."""
    text = (raw or "").strip().lower()
    text = re.sub(r"^[a-z]+://", "", text)
    text = text.split("/", 1)[0].split("@")[-1]
    return text.removeprefix("www.").strip(".")


def _custom_clean(*, workspace, entity, values: dict, errors: dict) -> dict:
    try:
        return custom_values_clean(workspace=workspace, entity=entity, values=values)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors[f"custom_{key}"] = messages
        return {}


def _full_clean(instance, errors: dict, exclude=()) -> None:
    try:
        instance.full_clean(exclude=["workspace", *exclude])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, messages)
    _raise_if(errors)


def _apply_consent(contact: Contact, *, was_opted_in: bool, source: str | None) -> None:
    """Keep the opt-in timestamp and source with the consent (DSGVO/GDPR proof)."""
    if contact.email_opt_in and (not was_opted_in or contact.email_opt_in_at is None):
        contact.email_opt_in_at = timezone.now()
        if source:
            contact.email_opt_in_source = source[:100]
    elif not contact.email_opt_in:
        contact.email_opt_in_at = None
        contact.email_opt_in_source = ""


# ---------------------------------------------------------------- tags


@transaction.atomic
def tag_get_or_create(*, workspace, actor, name: str) -> Tag:
    """The workspace's tag called `name` (case-insensitive), created when missing."""
    name = " ".join((name or "").split())[:50]
    if not name:
        raise ValidationError({"name": _("A tag needs a name.")})
    tag = Tag.all_workspaces.filter(workspace=workspace, name__iexact=name).first()
    if tag is None:
        tag = Tag(workspace=workspace, name=name)
        tag.full_clean(exclude=["workspace"])
        tag.save()
        change_record(
            workspace=workspace,
            actor=actor,
            instance=tag,
            action=ChangeAction.CREATED,
            fields=["name"],
        )
    return tag


def _tags_resolve(*, workspace, actor, tags) -> list[Tag]:
    out = []
    for tag in tags or ():
        if isinstance(tag, Tag):
            if tag.workspace_id != workspace.pk:
                raise ValidationError({"tags": _("This tag belongs to another workspace.")})
            out.append(tag)
        else:
            out.append(tag_get_or_create(workspace=workspace, actor=actor, name=str(tag)))
    return list({t.pk: t for t in out}.values())


def _contact_tags_set(*, workspace, contact, tags: list[Tag]) -> bool:
    wanted = {t.pk for t in tags}
    current = set(
        ContactTag.all_workspaces.filter(workspace=workspace, contact=contact).values_list(
            "tag_id", flat=True
        )
    )
    if wanted == current:
        return False
    ContactTag.all_workspaces.filter(
        workspace=workspace, contact=contact, tag_id__in=current - wanted
    ).delete()
    ContactTag.all_workspaces.bulk_create(
        [ContactTag(workspace=workspace, contact=contact, tag_id=pk) for pk in wanted - current]
    )
    return True


def _account_tags_set(*, workspace, account, tags: list[Tag]) -> bool:
    wanted = {t.pk for t in tags}
    current = set(
        AccountTag.all_workspaces.filter(workspace=workspace, account=account).values_list(
            "tag_id", flat=True
        )
    )
    if wanted == current:
        return False
    AccountTag.all_workspaces.filter(
        workspace=workspace, account=account, tag_id__in=current - wanted
    ).delete()
    AccountTag.all_workspaces.bulk_create(
        [AccountTag(workspace=workspace, account=account, tag_id=pk) for pk in wanted - current]
    )
    return True


# ---------------------------------------------------------------- contacts


@transaction.atomic
def contact_create(
    *, workspace, actor, tags=None, custom: dict | None = None, consent_source: str = "", **fields
) -> Contact:
    """Create a contact. Normalises email (lower case) and phones (E.164); the account must
    be in the workspace and the owner a member; an opt-in gets its timestamp and source
    (`consent_source`, else `email_opt_in_source`). Records a change event."""
    _check_unknown(fields, CONTACT_FIELDS)
    errors: dict = {}
    try:
        fields = contact_values_normalize(fields)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        fields = {k: v for k, v in fields.items() if k not in errors}
    _check_same_workspace(
        workspace=workspace, obj=fields.get("account"), field="account", errors=errors
    )
    owner_check(workspace=workspace, owner=fields.get("owner"), errors=errors)
    cleaned_custom = _custom_clean(
        workspace=workspace, entity=CustomFieldEntity.CONTACT, values=custom or {}, errors=errors
    )
    contact = Contact(workspace=workspace, custom=cleaned_custom, **fields)
    _apply_consent(
        contact, was_opted_in=False, source=consent_source or fields.get("email_opt_in_source", "")
    )
    _full_clean(contact, errors)
    if not (contact.full_name or contact.email or contact.phone or contact.mobile):
        raise ValidationError({"last_name": _("Give a name, an email address or a phone number.")})
    contact.save()
    tag_list = _tags_resolve(workspace=workspace, actor=actor, tags=tags)
    if tag_list:
        _contact_tags_set(workspace=workspace, contact=contact, tags=tag_list)
    set_fields = [k for k, v in fields.items() if v not in (None, "", False)]
    change_record(
        workspace=workspace,
        actor=actor,
        instance=contact,
        action=ChangeAction.CREATED,
        fields=set_fields + (["custom"] if cleaned_custom else []) + (["tags"] if tag_list else []),
    )
    return contact


@transaction.atomic
def contact_update(
    *,
    workspace,
    actor,
    contact: Contact,
    tags=None,
    custom: dict | None = None,
    consent_source: str = "",
    **fields,
) -> Contact:
    """Change the given fields of `contact` (others stay). `custom` sets the given custom
    values (an empty value clears one); `tags`, when given, becomes the exact tag set.
    Same checks as contact_create. Records a change event naming the changed fields (none
    when nothing changed)."""
    _check_unknown(fields, CONTACT_FIELDS)
    if contact.workspace_id != workspace.pk:
        raise ValidationError({"contact": _("This record belongs to another workspace.")})
    errors: dict = {}
    try:
        fields = contact_values_normalize(fields)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        fields = {k: v for k, v in fields.items() if k not in errors}
    if "account" in fields:
        _check_same_workspace(
            workspace=workspace, obj=fields["account"], field="account", errors=errors
        )
    if "owner" in fields and fields["owner"] is not None and fields["owner"].pk != contact.owner_id:
        owner_check(workspace=workspace, owner=fields["owner"], errors=errors)
    before = snapshot(contact)
    was_opted_in = contact.email_opt_in
    if custom is not None:
        merged = {**(contact.custom or {}), **custom}
        contact.custom = _custom_clean(
            workspace=workspace, entity=CustomFieldEntity.CONTACT, values=merged, errors=errors
        )
    for name, value in fields.items():
        setattr(contact, name, value)
    _apply_consent(
        contact,
        was_opted_in=was_opted_in,
        source=consent_source or fields.get("email_opt_in_source", ""),
    )
    _full_clean(contact, errors)
    changed = changed_fields(before, contact)
    if changed:
        contact.save()
    if tags is not None:
        tag_list = _tags_resolve(workspace=workspace, actor=actor, tags=tags)
        if _contact_tags_set(workspace=workspace, contact=contact, tags=tag_list):
            changed.append("tags")
    if changed:
        change_record(
            workspace=workspace,
            actor=actor,
            instance=contact,
            action=ChangeAction.UPDATED,
            fields=changed,
        )
    return contact


@transaction.atomic
def contact_delete(*, workspace, actor, contact: Contact) -> None:
    """Delete `contact` with its history (touch points cascade). Records a tombstone."""
    if contact.workspace_id != workspace.pk:
        raise ValidationError({"contact": _("This record belongs to another workspace.")})
    pk = contact.pk
    contact.delete()
    contact.pk = pk
    change_record(workspace=workspace, actor=actor, instance=contact, action=ChangeAction.DELETED)


def _ids_in_workspace(workspace, contact_ids) -> list[int]:
    ids = [int(i) for i in list(contact_ids)[:BULK_LIMIT]]
    return list(
        Contact.all_workspaces.filter(workspace=workspace, pk__in=ids).values_list("pk", flat=True)
    )


@transaction.atomic
def contacts_bulk_assign_owner(*, workspace, actor, contact_ids, owner) -> int:
    """Give every contact in `contact_ids` (of this workspace; others are ignored) the owner
    `owner` (None clears it). One UPDATE; one change event per contact. Returns the count."""
    errors: dict = {}
    owner_check(workspace=workspace, owner=owner, errors=errors)
    _raise_if(errors)
    ids = _ids_in_workspace(workspace, contact_ids)
    Contact.all_workspaces.filter(workspace=workspace, pk__in=ids).update(
        owner=owner, updated_at=timezone.now()
    )
    change_record_many(
        workspace=workspace,
        actor=actor,
        model=Contact,
        object_ids=ids,
        action=ChangeAction.UPDATED,
        fields=["owner"],
    )
    return len(ids)


@transaction.atomic
def contacts_bulk_add_tag(*, workspace, actor, contact_ids, tag) -> int:
    """Add `tag` (a Tag or a name) to the contacts in `contact_ids`; contacts that have it
    already are left alone. Returns how many contacts got the tag."""
    tag = _tags_resolve(workspace=workspace, actor=actor, tags=[tag])[0]
    ids = _ids_in_workspace(workspace, contact_ids)
    having = set(
        ContactTag.all_workspaces.filter(
            workspace=workspace, tag=tag, contact_id__in=ids
        ).values_list("contact_id", flat=True)
    )
    new_ids = [pk for pk in ids if pk not in having]
    ContactTag.all_workspaces.bulk_create(
        [ContactTag(workspace=workspace, contact_id=pk, tag=tag) for pk in new_ids],
        batch_size=1000,
    )
    change_record_many(
        workspace=workspace,
        actor=actor,
        model=Contact,
        object_ids=new_ids,
        action=ChangeAction.UPDATED,
        fields=["tags"],
    )
    return len(new_ids)


@transaction.atomic
def contacts_bulk_delete(*, workspace, actor, contact_ids) -> int:
    """Delete the contacts in `contact_ids` (of this workspace) with their history.
    One tombstone per contact. Returns the count."""
    ids = _ids_in_workspace(workspace, contact_ids)
    Contact.all_workspaces.filter(workspace=workspace, pk__in=ids).delete()
    change_record_many(
        workspace=workspace, actor=actor, model=Contact, object_ids=ids, action=ChangeAction.DELETED
    )
    return len(ids)


# ---------------------------------------------------------------- accounts


def _account_normalize(fields: dict, errors: dict) -> dict:
    out = dict(fields)
    if "phone" in out:
        try:
            out["phone"] = normalize_phone(out["phone"])
        except ValidationError as exc:
            errors["phone"] = exc.messages
            out.pop("phone")
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
    fields = _account_normalize(fields, errors)
    owner_check(workspace=workspace, owner=fields.get("owner"), errors=errors)
    cleaned_custom = _custom_clean(
        workspace=workspace, entity=CustomFieldEntity.ACCOUNT, values=custom or {}, errors=errors
    )
    account = Account(workspace=workspace, custom=cleaned_custom, **fields)
    _full_clean(account, errors)
    account.save()
    tag_list = _tags_resolve(workspace=workspace, actor=actor, tags=tags)
    if tag_list:
        _account_tags_set(workspace=workspace, account=account, tags=tag_list)
    set_fields = [k for k, v in fields.items() if v not in (None, "")]
    change_record(
        workspace=workspace,
        actor=actor,
        instance=account,
        action=ChangeAction.CREATED,
        fields=set_fields + (["custom"] if cleaned_custom else []) + (["tags"] if tag_list else []),
    )
    return account


@transaction.atomic
def account_update(
    *, workspace, actor, account: Account, tags=None, custom: dict | None = None, **fields
) -> Account:
    """Change the given fields of `account`; same checks as account_create."""
    _check_unknown(fields, ACCOUNT_FIELDS)
    if account.workspace_id != workspace.pk:
        raise ValidationError({"account": _("This record belongs to another workspace.")})
    errors: dict = {}
    fields = _account_normalize(fields, errors)
    if "owner" in fields and fields["owner"] is not None and fields["owner"].pk != account.owner_id:
        owner_check(workspace=workspace, owner=fields["owner"], errors=errors)
    before = snapshot(account)
    if custom is not None:
        merged = {**(account.custom or {}), **custom}
        account.custom = _custom_clean(
            workspace=workspace, entity=CustomFieldEntity.ACCOUNT, values=merged, errors=errors
        )
    for name, value in fields.items():
        setattr(account, name, value)
    _full_clean(account, errors)
    changed = changed_fields(before, account)
    if changed:
        account.save()
    if tags is not None:
        tag_list = _tags_resolve(workspace=workspace, actor=actor, tags=tags)
        if _account_tags_set(workspace=workspace, account=account, tags=tag_list):
            changed.append("tags")
    if changed:
        change_record(
            workspace=workspace,
            actor=actor,
            instance=account,
            action=ChangeAction.UPDATED,
            fields=changed,
        )
    return account


@transaction.atomic
def account_delete(*, workspace, actor, account: Account) -> None:
    """Delete `account`. Its contacts stay (without account); each of them gets a change
    event for the cleared `account`, the account a tombstone."""
    if account.workspace_id != workspace.pk:
        raise ValidationError({"account": _("This record belongs to another workspace.")})
    contact_ids = list(
        Contact.all_workspaces.filter(workspace=workspace, account=account).values_list(
            "pk", flat=True
        )
    )
    pk = account.pk
    account.delete()
    account.pk = pk
    change_record_many(
        workspace=workspace,
        actor=actor,
        model=Contact,
        object_ids=contact_ids,
        action=ChangeAction.UPDATED,
        fields=["account"],
    )
    change_record(workspace=workspace, actor=actor, instance=account, action=ChangeAction.DELETED)


# ---------------------------------------------------------------- custom fields


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
    if (
        key
        and CustomField.all_workspaces.filter(workspace=workspace, entity=entity, key=key).exists()
    ):
        errors["key"] = [_("A custom field with this key exists already.")]
    if position is None:
        position = CustomField.all_workspaces.filter(workspace=workspace, entity=entity).count()
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
    if field.workspace_id != workspace.pk:
        raise ValidationError({"field": _("This record belongs to another workspace.")})
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
    if field.workspace_id != workspace.pk:
        raise ValidationError({"field": _("This record belongs to another workspace.")})
    pk = field.pk
    field.delete()
    field.pk = pk
    change_record(workspace=workspace, actor=actor, instance=field, action=ChangeAction.DELETED)
