"""Writes of contacts: create, update and delete, with the normalisation of their email
addresses (cleaned and lower case, contacts.emails), phone numbers (E.164) and names, and
the consent timestamp."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workspaces import lifecycle
from workspaces.changelog import snapshot

from ..models import Contact, CustomFieldEntity
from ..phones import normalize_email, normalize_phone, parse_phone
from ._common import (
    _check_same_workspace,
    _check_unknown,
    _custom_clean,
    _custom_merge,
    _delete_recorded,
    _external_id_check,
    _full_clean,
    _owner_change_check,
    _raise_if,
    _require_same_workspace,
    owner_check,
)
from .privacy import erased_addresses_block
from .tags import _create_tagged_recorded, _update_tagged_recorded

CONTACT_FIELDS = frozenset(
    {
        "salutation",
        "title",
        "first_name",
        "last_name",
        "email",
        "email2",
        "phone",
        "phone_extension",
        "mobile",
        "job_title",
        "account",
        "owner",
        "lifecycle_stage",
        "sex",
        "date_of_birth",
        "birthday_month",
        "birthday_day",
        "education",
        "preferred_channel",
        "language",
        "email_opt_in",
        "email_opt_in_source",
        "do_not_call",
        "do_not_mail",
        "external_id",
        "street",
        "postal_code",
        "city",
        "region",
        "country",
    }
)
CONTACT_PHONE_FIELDS = ("phone", "mobile")
CONTACT_EMAIL_FIELDS = ("email", "email2")


def phone_with_extension_normalize(out: dict, errors: dict, *, region: str) -> None:
    """Normalise `out["phone"]` (when given) with the workspace's country `region` into
    E.164, and `out["phone_extension"]` (when given) into digits. An extension written into
    the phone ("+49 40 55501200 ext. 201") moves to phone_extension unless that is given
    differently (then an error on phone_extension); a phone cleared clears its extension;
    a phone given alone leaves the stored extension. Errors go to `errors` by field. Shared
    by contacts, accounts and leads (their models' clean() refuse an extension without a
    phone)."""
    extension_given = "phone_extension" in out
    extension = "".join(ch for ch in str(out.get("phone_extension") or "") if not ch.isspace())
    if extension and not extension.isdigit():
        errors["phone_extension"] = [_("An extension is digits only (e.g. 201).")]
    if "phone" in out:
        try:
            number = parse_phone(out["phone"], region)
        except ValidationError as exc:
            errors["phone"] = exc.messages
        else:
            out["phone"] = number.e164
            if number.extension and extension and number.extension != extension:
                errors["phone_extension"] = [
                    _("The phone number says extension %(written)s; this field %(given)s.")
                    % {"written": number.extension, "given": extension}
                ]
            if number.extension:
                extension, extension_given = number.extension, True
            elif not number.e164 and not extension:
                extension_given = True  # no phone, no extension
    if extension_given and "phone_extension" not in errors:
        out["phone_extension"] = extension


def contact_values_normalize(values: dict, *, region: str) -> dict:
    """Normalise the email and phone fields of `values` in place-free fashion, phone numbers
    read with the workspace's country `region` (ISO code, "" for none; see contacts.phones).

    Returns a new dict; raises ValidationError keyed by field for a phone number that is no
    phone number (or none of `region` without a country code). An extension written into
    the phone moves to phone_extension; the mobile takes none."""
    out = dict(values)
    errors = {}
    for name in CONTACT_EMAIL_FIELDS:
        if name in out:
            out[name] = normalize_email(out[name])
    phone_with_extension_normalize(out, errors, region=region)
    for name in CONTACT_PHONE_FIELDS:
        if name in out and name != "phone":
            try:
                out[name] = normalize_phone(out[name], region)
            except ValidationError as exc:
                errors[name] = exc.messages
    for name in ("first_name", "last_name", "job_title", "title"):
        if name in out and isinstance(out[name], str):
            out[name] = out[name].strip()
    _raise_if(errors)
    return out


def _contact_normalize(fields: dict, errors: dict, *, region: str) -> dict:
    """The normalised `fields`; a field that cannot be normalised goes to `errors` instead."""
    try:
        return contact_values_normalize(fields, region=region)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return {k: v for k, v in fields.items() if k not in errors}


def email_consent_apply(contact, *, was_opted_in: bool, source: str | None) -> None:
    """The consent rule of every contact write (DSGVO/GDPR proof): an opt-in gets its
    timestamp (now) and `source` (cut to 100 characters); an opt-out clears both. `contact`
    is a Contact or any object with the three email_opt_in* attributes (the import applies
    it to rows not written yet); `was_opted_in` is its opt-in before this write."""
    if contact.email_opt_in and (not was_opted_in or contact.email_opt_in_at is None):
        contact.email_opt_in_at = timezone.now()
        if source:
            contact.email_opt_in_source = source[:100]
    elif not contact.email_opt_in:
        contact.email_opt_in_at = None
        contact.email_opt_in_source = ""


@transaction.atomic
def contact_create(
    *, workspace, actor, tags=None, custom: dict | None = None, consent_source: str = "", **fields
) -> Contact:
    """Create a contact. Normalises email (lower case) and phones (E.164); the account must
    be in the workspace and the owner a member; an opt-in gets its timestamp and source
    (`consent_source`, else `email_opt_in_source`). Records a change event."""
    _check_unknown(fields, CONTACT_FIELDS)
    errors: dict = {}
    fields = _contact_normalize(fields, errors, region=workspace.country)
    _external_id_check(
        workspace=workspace, model=Contact, instance=None, fields=fields, errors=errors
    )
    _check_same_workspace(
        workspace=workspace, obj=fields.get("account"), field="account", errors=errors
    )
    owner_check(workspace=workspace, owner=fields.get("owner"), errors=errors)
    cleaned_custom = _custom_clean(
        workspace=workspace, entity=CustomFieldEntity.CONTACT, values=custom or {}, errors=errors
    )
    contact = Contact(workspace=workspace, custom=cleaned_custom, **fields)
    email_consent_apply(
        contact, was_opted_in=False, source=consent_source or fields.get("email_opt_in_source", "")
    )
    erased_addresses_block(workspace=workspace, contacts=[contact])  # GDPR: stays erased
    _full_clean(contact, errors)
    if not (contact.full_name or contact.email or contact.phone or contact.mobile):
        raise ValidationError({"last_name": _("Give a name, an email address or a phone number.")})
    set_fields = [k for k, v in fields.items() if v not in (None, "", False)]
    _create_tagged_recorded(
        workspace=workspace,
        actor=actor,
        instance=contact,
        tags=tags,
        fields=set_fields + (["custom"] if cleaned_custom else []),
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
    _require_same_workspace(workspace=workspace, obj=contact, field="contact")
    errors: dict = {}
    fields = _contact_normalize(fields, errors, region=workspace.country)
    _external_id_check(
        workspace=workspace, model=Contact, instance=contact, fields=fields, errors=errors
    )
    if "account" in fields:
        _check_same_workspace(
            workspace=workspace, obj=fields["account"], field="account", errors=errors
        )
    _owner_change_check(workspace=workspace, instance=contact, fields=fields, errors=errors)
    before = snapshot(contact)
    was_opted_in = contact.email_opt_in
    _custom_merge(
        workspace=workspace,
        entity=CustomFieldEntity.CONTACT,
        instance=contact,
        custom=custom,
        errors=errors,
    )
    if (
        fields.get("date_of_birth", contact.date_of_birth) is None
        and contact.date_of_birth is not None
        and not ({"birthday_month", "birthday_day"} & set(fields))
    ):
        # the birthday came from the date of birth cleared now: it goes with it
        fields = {**fields, "birthday_month": None, "birthday_day": None}
    for name, value in fields.items():
        setattr(contact, name, value)
    email_consent_apply(
        contact,
        was_opted_in=was_opted_in,
        source=consent_source or fields.get("email_opt_in_source", ""),
    )
    if {"email", "email2", "email_opt_in"} & set(fields):
        erased_addresses_block(workspace=workspace, contacts=[contact])  # GDPR: stays erased
    _full_clean(contact, errors)
    _update_tagged_recorded(
        workspace=workspace, actor=actor, instance=contact, before=before, tags=tags
    )
    return contact


@transaction.atomic
def contact_delete(*, workspace, actor, contact: Contact) -> None:
    """Delete `contact` with its history (touch points cascade). Records a tombstone."""
    _require_same_workspace(workspace=workspace, obj=contact, field="contact")
    lifecycle.on_contacts_deleted.run(workspace=workspace, actor=actor, contact_ids=[contact.pk])
    _delete_recorded(workspace=workspace, actor=actor, instance=contact)
