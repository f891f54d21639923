"""What a merge of two contacts keeps, moves and leaves out (pure: no writes; reading a
relation of an unloaded contact is its only query).

`merge_plan(survivor, loser, choices)` is the one place that decides the merged record; the
merge page shows it before anything happens and `contact_merge` applies it, so the page
and the result cannot differ. Its rules:

- Per field the survivor's value stays unless the choice is "loser" (`choices[field] ==
  "loser"`), or nothing was chosen and the survivor's value is empty.
- The address (street, postal code, city, region, country) is one choice, "address": the
  parts of two addresses are never mixed. By default the survivor's address stays, unless it
  is empty or the other one only adds to it (every part the survivor has is the same there).
- Email addresses and phone numbers have two places each (email / email2, phone / mobile).
  A value of either record that the choices leave out goes into a place of its kind that is
  still empty ("moved"): the other record's email becomes the second email, its phone the
  mobile (numbers are extension-free E.164 in both places).
- An extension belongs to its phone number: the merged record keeps the extension of the
  record whose number it keeps as "phone" (a choice of its own only when both records have
  the same number with different extensions); an extension whose number moves to "mobile"
  (which takes none) or is left out is listed as not kept.
- A birthday without a year (day and month only) is kept when the merged record has no date
  of birth: the survivor's, else the loser's (moved); one that the kept date of birth or the
  survivor's own birthday replaces is listed as not kept.
- Custom fields: where both records hold different values, a choice "custom:<key>" (the
  survivor's by default); otherwise the value that is there.
- Consent is restrictive, whatever the choices: "do not call" and "do not mail" are set when
  either record has them. The email opt-in stays only when every email address the merged
  record keeps was covered by an opt-in: an address counts as opted in when each record
  holding it had opted in. An opt-in is never carried to an address that did not opt in
  (the opt-in is one flag for the record's addresses), so a merge that keeps such an address
  drops the opt-in and says so.
- Everything of either record that the result does not hold is listed in `not_kept` (field,
  label, value as shown), for the confirmation page and the merge's timeline entry.
"""

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _

from .custom_values import custom_display
from .models import Contact
from .phones import format_phone

SKIP_FIELDS = {
    "id",
    "workspace",
    "created_at",
    "updated_at",
    "last_interaction_at",
    "custom",
    "email_opt_in_at",
    "email_opt_in_source",
    # the birthday's day and month follow the chosen date of birth (Contact.save keeps them)
    "birthday_month",
    "birthday_day",
}
EXTENSION = "phone_extension"  # follows the phone number it belongs to
ADDRESS_FIELDS = ("street", "postal_code", "city", "region", "country")
SLOT_FAMILIES = (("email", "email2"), ("phone", "mobile"))
PHONE_FIELDS = {"phone", "mobile"}
RESTRICTIVE = ("do_not_call", "do_not_mail")  # set when either record has it
CONSENT_FIELDS = (*RESTRICTIVE, "email_opt_in")
ADDRESS = "address"
CUSTOM_PREFIX = "custom:"


def mergeable_fields() -> list[models.Field]:
    """The contact fields a merge decides, in model order."""
    return [
        f
        for f in Contact._meta.concrete_fields
        if f.name not in SKIP_FIELDS and f.editable and not f.primary_key
    ]


def decision_keys() -> list[str]:
    """The merge page's rows in order: the fields, the address as one row ("address")
    after the person's fields, the consent fields last."""
    names = [f.name for f in mergeable_fields() if f.name not in ADDRESS_FIELDS]
    at = min(names.index(n) for n in CONSENT_FIELDS)
    return [*names[:at], ADDRESS, *names[at:]]


def _empty(value) -> bool:
    return value in (None, "")


def display(contact: Contact, f: models.Field) -> str:
    """A field's value as people read it ("" when empty)."""
    value = getattr(contact, f.attname)
    if _empty(value):
        return ""
    if f.choices:
        return str(getattr(contact, f"get_{f.name}_display")())
    if f.is_relation:
        return str(getattr(contact, f.name) or "")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if f.name in PHONE_FIELDS:
        return format_phone(value)
    return str(value)


def address_display(contact: Contact) -> str:
    """The address on one line: "Hauptstr. 1, 20095 Hamburg, Germany"."""
    return ", ".join(contact.address_lines)


@dataclass(frozen=True)
class Choice:
    """One decision of the merge page: `key` (a field name, "address" or "custom:<key>"),
    the two values as shown, and the side taken when nothing is chosen."""

    key: str
    label: str
    mine: str
    theirs: str
    default: str  # "survivor" | "loser"


@dataclass(frozen=True)
class NotKept:
    """A value of one of the two records that the merged record does not hold."""

    key: str
    label: str
    value: str
    reason: str = ""

    def as_dict(self) -> dict:
        return {"field": self.key, "label": self.label, "value": self.value, "reason": self.reason}

    def __str__(self):
        text = f"{self.label}: {self.value}"
        return f"{text} ({self.reason})" if self.reason else text


@dataclass
class MergePlan:
    """The merged record: `values` (attname -> value of every decided field, consent's time
    and source included), `custom`, the fields that change on the survivor (`changed`),
    values placed into an empty place (`moved`: (label, value shown)) and `not_kept`."""

    values: dict
    custom: dict
    changed: list[str]
    moved: list[tuple[str, str]] = field(default_factory=list)
    not_kept: list[NotKept] = field(default_factory=list)

    def apply(self, contact: Contact) -> None:
        """Set the planned values on `contact` (the survivor; not saved)."""
        for attname, value in self.values.items():
            setattr(contact, attname, value)
        contact.custom = self.custom


def _address_default(survivor, loser) -> str:
    """The loser's address when the survivor has none or the loser's only adds to it."""
    theirs = {n: getattr(loser, n) for n in ADDRESS_FIELDS}
    if not any(theirs.values()) or theirs == {n: getattr(survivor, n) for n in ADDRESS_FIELDS}:
        return "survivor"
    return "loser" if _address_contained(survivor, theirs) else "survivor"


def _address_contained(contact, values) -> bool:
    """Whether every part of `contact`'s address is in the kept address (`values`)."""
    return all(
        not getattr(contact, n)
        or getattr(contact, n).strip().casefold() == (values[n] or "").strip().casefold()
        for n in ADDRESS_FIELDS
    )


def merge_choices(survivor: Contact, loser: Contact, custom_fields=()) -> list[Choice]:
    """The decisions the merge page offers, in form order: every field whose values differ
    (consent aside: it follows its rule), the address as one, then the custom fields both
    records fill differently. `custom_fields` are the workspace's CustomField definitions."""
    out = []
    fields = {f.name: f for f in mergeable_fields()}
    for key in decision_keys():
        if key == ADDRESS:
            mine, theirs = address_display(survivor), address_display(loser)
            if [getattr(survivor, n) for n in ADDRESS_FIELDS] != [
                getattr(loser, n) for n in ADDRESS_FIELDS
            ]:
                out.append(
                    Choice(ADDRESS, _("address"), mine, theirs, _address_default(survivor, loser))
                )
            continue
        if key in CONSENT_FIELDS:
            continue
        if key == EXTENSION and survivor.phone != loser.phone:
            continue  # each extension follows its own number
        f = fields[key]
        mine, theirs = getattr(survivor, f.attname), getattr(loser, f.attname)
        if mine != theirs:
            out.append(
                Choice(
                    f.name,
                    str(f.verbose_name),
                    display(survivor, f),
                    display(loser, f),
                    "loser" if _empty(mine) else "survivor",
                )
            )
    for definition in custom_fields:
        mine = (survivor.custom or {}).get(definition.key)
        theirs = (loser.custom or {}).get(definition.key)
        if not _empty(mine) and not _empty(theirs) and mine != theirs:
            out.append(
                Choice(
                    CUSTOM_PREFIX + definition.key,
                    definition.label,
                    custom_display(definition, mine),
                    custom_display(definition, theirs),
                    "survivor",
                )
            )
    return out


def _taken(key: str, choices: dict, default: str) -> bool:
    return choices.get(key, default) == "loser"


def merge_plan(
    survivor: Contact, loser: Contact, choices: dict[str, str] | None = None, custom_fields=()
) -> MergePlan:
    """The merged record for `choices` ({key: "survivor" | "loser"}, keys as in
    `merge_choices`; a missing key takes its default). Pure: reads the two contacts (and
    their account/owner for display), writes nothing. See the module's rules."""
    choices = choices or {}
    fields = {f.name: f for f in mergeable_fields()}
    values = {f.attname: getattr(survivor, f.attname) for f in fields.values()}
    not_kept: list[NotKept] = []
    moved: list[tuple[str, str]] = []
    slot_fields = {n for family in SLOT_FAMILIES for n in family}

    # plain fields: the chosen side; the other side's value is left out (slots: see below)
    for name, f in fields.items():
        if name in CONSENT_FIELDS or name in ADDRESS_FIELDS:
            continue
        if name == EXTENSION and survivor.phone != loser.phone:
            continue  # decided with the phone numbers below
        mine, theirs = getattr(survivor, f.attname), getattr(loser, f.attname)
        if mine == theirs:
            continue
        if _taken(name, choices, "loser" if _empty(mine) else "survivor"):
            values[f.attname] = theirs
            left_out = (survivor, mine)
        else:
            left_out = (loser, theirs)
        if name not in slot_fields and not _empty(left_out[1]):
            not_kept.append(NotKept(name, str(f.verbose_name), display(left_out[0], f)))

    # the address as one
    if _taken(ADDRESS, choices, _address_default(survivor, loser)):
        for name in ADDRESS_FIELDS:
            values[name] = getattr(loser, name)
        other = survivor
    else:
        other = loser
    if not _address_contained(other, values):
        not_kept.append(NotKept(ADDRESS, _("address"), address_display(other)))

    # emails and phones: what the choices leave out goes into an empty place of its kind
    for family in SLOT_FAMILIES:
        held = [values[n] for n in family]
        offered = [getattr(c, n) for c in (survivor, loser) for n in family]
        for value in dict.fromkeys(v for v in offered if v and v not in held):
            free = next((n for n in family if _empty(values[n])), None)
            shown = format_phone(value) if family[0] in PHONE_FIELDS else value
            if free is not None:
                values[free] = value
                held = [values[n] for n in family]
                moved.append((str(fields[free].verbose_name), shown))
            else:
                source = next(
                    n for n in family if value in (getattr(survivor, n), getattr(loser, n))
                )
                not_kept.append(NotKept(source, str(fields[source].verbose_name), shown))

    if survivor.phone != loser.phone:
        _merge_extension(survivor, loser, values, fields[EXTENSION], not_kept)
    _merge_birthday(survivor, loser, values, moved, not_kept)
    custom = _merge_custom(survivor, loser, choices, custom_fields, not_kept)
    _merge_consent(survivor, loser, values, not_kept)

    changed = sorted(
        name for name, f in fields.items() if values[f.attname] != getattr(survivor, f.attname)
    )
    for name in ("birthday_month", "birthday_day"):
        if name in values and values[name] != getattr(survivor, name):
            changed.append(name)
    if custom != (survivor.custom or {}):
        changed.append("custom")
    for name in ("email_opt_in_at", "email_opt_in_source"):
        if values[name] != getattr(survivor, name) and name not in changed:
            changed.append(name)
    return MergePlan(values, custom, sorted(changed), moved, not_kept)


def _merge_extension(survivor, loser, values, f, not_kept) -> None:
    """The extension of the record whose number the merged record keeps as "phone"; the
    other record's extension, when it has one, is not kept (its number went elsewhere)."""
    kept = next((c for c in (survivor, loser) if c.phone and c.phone == values["phone"]), None)
    values[f.attname] = kept.phone_extension if kept else ""
    for record in (survivor, loser):
        if record.phone_extension and record is not kept:
            not_kept.append(
                NotKept(
                    EXTENSION,
                    str(f.verbose_name),
                    _("ext. %(extension)s of %(phone)s")
                    % {"extension": record.phone_extension, "phone": format_phone(record.phone)},
                )
            )


def _merge_birthday(survivor, loser, values, moved, not_kept) -> None:
    """A year-less birthday (day and month without a date of birth) is kept when the merged
    record has no date of birth: the survivor's, else the loser's; others are not kept."""
    label = _("birthday")
    kept_day = None
    if values["date_of_birth"]:
        kept_day = (values["date_of_birth"].month, values["date_of_birth"].day)
    elif survivor.birthday_without_year:
        kept_day = (survivor.birthday_month, survivor.birthday_day)
    elif loser.birthday_without_year:
        kept_day = (loser.birthday_month, loser.birthday_day)
        values["birthday_month"], values["birthday_day"] = kept_day
        moved.append((label, loser.birthday_text))
    for record in (survivor, loser):
        if record.birthday_without_year and (record.birthday_month, record.birthday_day) != (
            kept_day
        ):
            not_kept.append(NotKept("birthday", label, record.birthday_text))


def _merge_custom(survivor, loser, choices, custom_fields, not_kept) -> dict:
    definitions = {d.key: d for d in custom_fields}
    mine, theirs = dict(survivor.custom or {}), dict(loser.custom or {})
    custom = {**theirs, **mine}
    for key in sorted(set(mine) & set(theirs)):
        if _empty(mine[key]) or _empty(theirs[key]) or mine[key] == theirs[key]:
            if _empty(mine[key]):
                custom[key] = theirs[key]
            continue
        definition = definitions.get(key)
        take = _taken(CUSTOM_PREFIX + key, choices, "survivor")
        custom[key] = theirs[key] if take else mine[key]
        left = mine[key] if take else theirs[key]
        shown = custom_display(definition, left) if definition else str(left)
        label = definition.label if definition else key
        not_kept.append(NotKept(CUSTOM_PREFIX + key, label, shown))
    return {k: v for k, v in custom.items() if not _empty(v)}


def _opted_in_addresses(survivor, loser, values) -> tuple[bool, list[str]]:
    """(whether the merged record may stay opted in, kept addresses that did not opt in)."""
    kept = [values[n] for n in ("email", "email2") if values[n]]
    not_opted = []
    for address in kept:
        holders = [c for c in (survivor, loser) if address in (c.email, c.email2)]
        if not all(c.email_opt_in for c in holders):
            not_opted.append(address)
    return not not_opted, not_opted


def _merge_consent(survivor, loser, values, not_kept) -> None:
    for name in RESTRICTIVE:
        values[name] = bool(getattr(survivor, name) or getattr(loser, name))
    opted = [c for c in (survivor, loser) if c.email_opt_in]
    if not opted:
        values.update(email_opt_in=False, email_opt_in_at=None, email_opt_in_source="")
        return
    allowed, not_opted = _opted_in_addresses(survivor, loser, values)
    # the opt-in that covers the primary address carries its time and source
    source = next((c for c in opted if values["email"] in (c.email, c.email2)), opted[0])
    if allowed:
        values.update(
            email_opt_in=True,
            email_opt_in_at=source.email_opt_in_at,
            email_opt_in_source=source.email_opt_in_source,
        )
        return
    values.update(email_opt_in=False, email_opt_in_at=None, email_opt_in_source="")
    for record in opted:
        when = record.email_opt_in_at.date().isoformat() if record.email_opt_in_at else ""
        detail = ", ".join(p for p in (when, record.email_opt_in_source) if p)
        covered = ", ".join(a for a in (record.email, record.email2) if a)
        value = _("yes") + (f" ({covered}{'; ' + detail if detail else ''})" if covered else "")
        not_kept.append(
            NotKept(
                "email_opt_in",
                str(Contact._meta.get_field("email_opt_in").verbose_name),
                value,
                _("%(addresses)s did not opt in") % {"addresses": ", ".join(not_opted)},
            )
        )
