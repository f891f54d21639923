"""Which column goes to which field, and turning one row of text into clean field values.

`auto_map(headers, entity)` recognises the headers of common CRM and address-book exports
(generic and German headers here; HubSpot, Salesforce, Pipedrive, Zoho, Outlook, Google and
Apple/vCard in `vocabularies`). `RowCleaner` turns a row into {field: value} and a list of
readable problems (the row is rejected) and notes (the row is imported; a field was left
empty, e.g. a choice value with no counterpart here or a date it cannot read), with the
same rules the forms use (E.164 phones, cleaned lower-cased emails with their comparison
keys, known choices, real dates in the import's date order, full names split with
contacts.names).
"""

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from ..custom_values import choice_values, custom_value_clean
from ..dates import (
    DateError,
    DateOrder,
    parse_date as _parse_full_date,
    parse_partial_date,
    workspace_date_order,
)
from ..emails import email_key
from ..models import (
    Account,
    AccountSize,
    Contact,
    CustomFieldEntity,
    CustomFieldType,
    Education,
    LifecycleStage,
    PreferredChannel,
    Salutation,
    Sex,
)
from ..names import split_full_name
from ..phones import domain_normalize, normalize_email, phone_cell_parse
from ..selectors.custom_fields import custom_field_list
from . import limits, vocabularies

CUSTOM_PREFIX = "custom:"
IGNORE = ""

ADDRESS_FIELDS = {
    "street": gettext_lazy("Street"),
    "postal_code": gettext_lazy("Postal code"),
    "city": gettext_lazy("City"),
    "region": gettext_lazy("Region / state"),
    "country": gettext_lazy("Country"),
}

CONTACT_FIELDS = {
    "full_name": gettext_lazy("Full name (split into first and last)"),
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "salutation": gettext_lazy("Salutation"),
    "title": gettext_lazy("Academic title"),
    "email": gettext_lazy("Email"),
    "email2": gettext_lazy("Other email"),
    "phone": gettext_lazy("Phone"),
    "phone_extension": gettext_lazy("Phone extension"),
    "mobile": gettext_lazy("Mobile"),
    "job_title": gettext_lazy("Job title"),
    "company": gettext_lazy("Company (account)"),
    **ADDRESS_FIELDS,
    "date_of_birth": gettext_lazy("Date of birth"),
    "sex": gettext_lazy("Sex"),
    "education": gettext_lazy("Education"),
    "lifecycle_stage": gettext_lazy("Lifecycle stage"),
    "preferred_channel": gettext_lazy("Preferred channel"),
    "language": gettext_lazy("Language"),
    "email_opt_in": gettext_lazy("Email opt-in"),
    "do_not_call": gettext_lazy("Do not call"),
    "do_not_mail": gettext_lazy("Do not mail"),
}

ACCOUNT_FIELDS = {
    "name": gettext_lazy("Name"),
    "domain": gettext_lazy("Domain"),
    "industry": gettext_lazy("Industry"),
    "size": gettext_lazy("Size"),
    "phone": gettext_lazy("Phone"),
    "phone_extension": gettext_lazy("Phone extension"),
    "website": gettext_lazy("Website"),
    **ADDRESS_FIELDS,
}

# Normalised header (lower case, letters and digits only) -> field. Covers Outlook, Google
# Contacts, Apple/vCard exports, HubSpot, Salesforce, Pipedrive and German exports.
_CONTACT_SYNONYMS = {
    "full_name": ["name", "fullname", "displayname", "contactname", "vollstandigername"],
    "first_name": ["firstname", "givenname", "forename", "first", "vorname", "prenom"],
    "last_name": ["lastname", "surname", "familyname", "last", "nachname", "familienname", "nom"],
    "salutation": ["salutation", "prefix", "nameprefix", "anrede"],
    "title": ["academictitle", "akademischertitel", "academicdegree", "titelakademisch"],
    "email": [
        "email",
        "emailaddress",
        "mail",
        "emailadresse",
        "email1",
        "email1value",
        "primaryemail",
        "workemail",
        "businessemail",
        "emailbusiness",
        "mailadresse",
    ],
    "email2": [
        "email2",
        "email2address",
        "email2value",
        "otheremail",
        "secondaryemail",
        "personalemail",
        "homeemail",
        "email2adresse",
    ],
    "phone": [
        "phone",
        "phonenumber",
        "businessphone",
        "workphone",
        "telephone",
        "tel",
        "telefon",
        "telefonnummer",
        "phone1value",
        "primaryphone",
        "officephone",
        "telefongeschaftlich",
        "companymainphone",
        "homephone",
        "telefonprivat",
    ],
    "phone_extension": [
        "extension",
        "ext",
        "phoneextension",
        "businessphoneextension",
        "durchwahl",
        "nebenstelle",
    ],
    "mobile": [
        "mobile",
        "mobilephone",
        "cellphone",
        "cell",
        "mobilenumber",
        "handy",
        "mobil",
        "mobiltelefon",
        "mobilfunknummer",
        "phone2value",
    ],
    "job_title": [
        "jobtitle",
        "title",
        "position",
        "titel",
        "berufsbezeichnung",
        "funktion",
        "organization1title",
        "organizationtitle",
    ],
    "company": [
        "company",
        "companyname",
        "account",
        "accountname",
        "organization",
        "organisation",
        "organization1name",
        "organizationname",
        "firma",
        "unternehmen",
        "employer",
    ],
    "street": [
        "street",
        "address",
        "streetaddress",
        "businessstreet",
        "homestreet",
        "addressline1",
        "strasse",
        "str",
        "address1street",
        "mailingstreet",
        "adresse",
    ],
    "postal_code": [
        "postalcode",
        "zip",
        "zipcode",
        "postcode",
        "plz",
        "postleitzahl",
        "businesspostalcode",
        "homepostalcode",
        "address1postalcode",
        "mailingzip",
        "mailingpostalcode",
    ],
    "city": [
        "city",
        "town",
        "ort",
        "stadt",
        "businesscity",
        "homecity",
        "address1city",
        "mailingcity",
        "wohnort",
    ],
    "region": [
        "region",
        "state",
        "province",
        "county",
        "bundesland",
        "businessstate",
        "homestate",
        "address1region",
        "mailingstate",
        "stateprovince",
    ],
    "country": [
        "country",
        "land",
        "countryregion",
        "businesscountryregion",
        "homecountryregion",
        "address1country",
        "mailingcountry",
        "staat",
    ],
    "date_of_birth": [
        "birthday",
        "dateofbirth",
        "birthdate",
        "dob",
        "geburtstag",
        "geburtsdatum",
        "born",
    ],
    "sex": ["sex", "gender", "geschlecht"],
    "education": ["education", "educationlevel", "bildung", "bildungsabschluss", "abschluss"],
    "lifecycle_stage": ["lifecyclestage", "stage", "lifecycle", "leadstatus"],
    "preferred_channel": ["preferredchannel", "channel", "bevorzugterkanal"],
    "language": ["language", "sprache", "preferredlanguage", "locale"],
    "email_opt_in": [
        "emailoptin",
        "optin",
        "newsletter",
        "marketingoptin",
        "subscribed",
        "einwilligung",
    ],
    "do_not_call": ["donotcall", "nocalls", "dnc", "nichtanrufen"],
    "do_not_mail": ["donotmail", "nomail", "keinepost"],
}
_ACCOUNT_SYNONYMS = {
    "name": [
        "name",
        "company",
        "companyname",
        "account",
        "accountname",
        "organization",
        "organisation",
        "firma",
        "unternehmen",
        "firmenname",
    ],
    "domain": ["domain", "companydomain", "companydomainname", "emaildomain"],
    "industry": ["industry", "branche", "sector"],
    "size": ["size", "employees", "numberofemployees", "companysize", "mitarbeiter"],
    "phone": ["phone", "phonenumber", "telephone", "telefon", "mainphone", "businessphone"],
    "phone_extension": ["extension", "ext", "phoneextension", "durchwahl", "nebenstelle"],
    "website": ["website", "web", "url", "homepage", "webseite", "websiteurl"],
    "street": _CONTACT_SYNONYMS["street"] + ["billingstreet"],
    "postal_code": _CONTACT_SYNONYMS["postal_code"] + ["billingzip", "billingpostalcode"],
    "city": _CONTACT_SYNONYMS["city"] + ["billingcity"],
    "region": _CONTACT_SYNONYMS["region"] + ["billingstate"],
    "country": _CONTACT_SYNONYMS["country"] + ["billingcountry"],
}


def _invert(synonyms):
    return {alias: field for field, aliases in synonyms.items() for alias in aliases}


def normalize_header(header: str) -> str:
    """ "E-mail Address" -> "emailaddress", "Straße" -> "strasse", "Telefon (geschäftlich)"
    -> "telefongeschaftlich"."""
    text = (header or "").strip().lower().replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]", "", text)


def _vocabulary_lookup(tables: dict[str, dict[str, str]]) -> dict[str, str]:
    """{normalised header: field} of the per-source header tables of `vocabularies`."""
    return {
        normalize_header(header): field
        for table in tables.values()
        for header, field in table.items()
    }


def _lookup(synonyms, tables) -> dict[str, str]:
    return {**_vocabulary_lookup(tables), **_invert(synonyms)}


_LOOKUP = {
    CustomFieldEntity.CONTACT: _lookup(_CONTACT_SYNONYMS, vocabularies.CONTACT_HEADER_TABLES),
    CustomFieldEntity.ACCOUNT: _lookup(_ACCOUNT_SYNONYMS, vocabularies.ACCOUNT_HEADER_TABLES),
}
_SECONDARY = {normalize_header(h) for h in vocabularies.SECONDARY_HEADERS}


def target_fields(*, workspace, entity: str) -> dict[str, str]:
    """Field key -> label for the mapping screen, custom fields last ("custom:<key>")."""
    base = CONTACT_FIELDS if entity == CustomFieldEntity.CONTACT else ACCOUNT_FIELDS
    fields = {key: str(label) for key, label in base.items()}
    for custom in custom_field_list(workspace=workspace, entity=entity):
        fields[f"{CUSTOM_PREFIX}{custom.key}"] = custom.label
    return fields


def auto_map(
    headers: list[str], *, entity: str, custom_keys=(), custom_labels=None
) -> dict[str, str]:
    """{column index as str: field} for the headers it recognises; each field used once."""
    lookup = dict(_LOOKUP[entity])
    for key in custom_keys:
        lookup.setdefault(normalize_header(key), f"{CUSTOM_PREFIX}{key}")
    for key, label in (custom_labels or {}).items():  # "Kundennummer" -> custom:customer_no
        lookup.setdefault(normalize_header(label), f"{CUSTOM_PREFIX}{key}")
    mapping, used = {}, set()
    normalized = [normalize_header(h) for h in headers]
    # "Title" is a job title, unless the file also has "Job Title" (Outlook): then it is the
    # salutation. So map the unambiguous headers first, then the secondary ones ("Home
    # Phone", "Lead Status": vocabularies.SECONDARY_HEADERS), "Title" last.
    order = sorted(
        range(len(headers)),
        key=lambda i: 2 if normalized[i] == "title" else int(normalized[i] in _SECONDARY),
    )
    for index in order:
        field = lookup.get(normalized[index])
        if field == "job_title" and normalized[index] == "title" and "job_title" in used:
            field = "salutation" if entity == CustomFieldEntity.CONTACT else None
        if field and field not in used:
            mapping[str(index)] = field
            used.add(field)
    if "full_name" in used and ({"first_name", "last_name"} & used):
        # A "Name" column next to first/last name columns is a display name: ignore it.
        mapping = {i: f for i, f in mapping.items() if f != "full_name"}
    return mapping


# --- cleaning -------------------------------------------------------------------------------

_TRUE = {"1", "true", "yes", "y", "x", "on", "ja", "j", "wahr", "opted in", "subscribed"}
_FALSE = {"0", "false", "no", "n", "off", "nein", "falsch", ""}
_EXTRA_CHOICES = {
    "sex": {
        "f": "female",
        "w": "female",
        "weiblich": "female",
        "frau": "female",
        "woman": "female",
        "m": "male",
        "mannlich": "male",
        "männlich": "male",
        "mann": "male",
        "man": "male",
        "d": "diverse",
        "divers": "diverse",
        "x": "diverse",
    },
    "salutation": {
        "mrs": "ms",
        "miss": "ms",
        "frau": "ms",
        "herr": "mr",
        "mr.": "mr",
        "ms.": "ms",
        "mrs.": "ms",
        "dr.": "dr",
        "prof": "prof",
    },
}
_CHOICES = {
    "salutation": Salutation,
    "sex": Sex,
    "education": Education,
    "lifecycle_stage": LifecycleStage,
    "preferred_channel": PreferredChannel,
    "size": AccountSize,
}
_BOOLEAN = {"email_opt_in", "do_not_call", "do_not_mail"}
# The fields a full-name column can fill; a column of their own wins over it.
_NAME_PARTS = ("first_name", "last_name", "salutation", "title")
# Distinct phone cells whose reading a RowCleaner keeps (a file repeats switchboard and
# company numbers; parsing one is the costliest cleaning of a row). At most this many
# entries of about 0.3 KB each (the cell's text, the E.164 form or the messages): under
# 20 MB, then the cache starts over.
PHONE_CACHE_SIZE = 50_000


def parse_date(text: str, *, order: str = DateOrder.DMY) -> datetime.date:
    """A full date as spreadsheets write it (contacts.dates.parse_date, day first unless
    `order` says otherwise). Raises ValueError (DateError) for no date or one without a
    year."""
    value = _parse_full_date(text, order=order)
    if value is None:
        raise DateError(_("It is not a date we can read."))
    return value


def _strip_cell(text: str) -> str:
    """The cell without spaces and invisible characters (zero-width space, BOM, soft hyphen,
    direction marks) at its ends: "Zoe\u200b" pasted from a web page is "Zoe". Inside a
    value they stay (a zero-width non-joiner is part of some Persian and Indic names)."""
    start, end = 0, len(text)
    while start < end and (text[start].isspace() or unicodedata.category(text[start]) == "Cf"):
        start += 1
    while end > start and (text[end - 1].isspace() or unicodedata.category(text[end - 1]) == "Cf"):
        end -= 1
    return text[start:end]


class FieldNote(ValidationError):
    """Raised by a field's cleaning when the value cannot be used but the row can: the field
    is left empty and the message becomes a note on the row (shown in the preview and on the
    result page, stored as an ImportRowError of kind NOTE) instead of rejecting the row."""


# The name the date and name cleaning use for it: one kind of note.
LeaveEmpty = FieldNote


def _value_lookup(tables: dict[str, dict[str, str | None]]) -> dict[str, str | None]:
    return {
        normalize_header(value): ours for table in tables.values() for value, ours in table.items()
    }


_CHOICE_VOCABULARY = {
    field: _value_lookup(tables) for field, tables in vocabularies.CHOICE_VALUE_TABLES.items()
}
_BLANK_VALUES = {normalize_header(v) for v in vocabularies.BLANK_VALUES}
# Account sizes by head count ("Number of Employees": 250 -> "201-1000").
_SIZE_BOUNDS = ((10, "1-10"), (50, "11-50"), (200, "51-200"), (1000, "201-1000"))


def _size_from_count(text: str) -> str:
    digits = text.replace(",", "").replace(".", "").replace(" ", "")
    if not digits.isdigit():
        return ""
    count = int(digits)
    return next((size for bound, size in _SIZE_BOUNDS if count <= bound), "1000+")


def _choice_value(field: str, text: str) -> str:
    """Our value for `text` in the choice column `field`: the value or label itself, a known
    spelling (_EXTRA_CHOICES) or another CRM's value (vocabularies). "" for a value meaning
    "not filled in". Raises FieldNote for a value with no counterpart here."""
    enum = _CHOICES[field]
    wanted = text.strip().lower()
    for value, label in enum.choices:
        if wanted in (value.lower(), str(label).lower()):
            return value
    extra = _EXTRA_CHOICES.get(field, {}).get(wanted)
    if extra:
        return extra
    key = normalize_header(text)
    vocabulary = _CHOICE_VOCABULARY.get(field, {})
    if key in vocabulary and vocabulary[key] is None:
        raise FieldNote(
            _(
                "“%(value)s” has no counterpart among our %(field)s values; the field was left empty."
            )
            % {"value": text, "field": _field_label(field)}
        )
    if vocabulary.get(key):
        return vocabulary[key]
    if field == "size" and _size_from_count(text):
        return _size_from_count(text)
    if key in _BLANK_VALUES:
        return ""
    allowed = ", ".join(enum.values)
    raise FieldNote(
        _("“%(value)s” is not a known %(field)s (known: %(allowed)s); the field was left empty.")
        % {"value": text, "field": _field_label(field), "allowed": allowed}
    )


def _field_label(field: str) -> str:
    return str(CONTACT_FIELDS.get(field) or ACCOUNT_FIELDS.get(field) or field).lower()


def _boolean(field: str, text: str) -> bool:
    wanted = text.strip().lower()
    if wanted in _TRUE:
        return True
    if wanted in _FALSE:
        return False
    raise ValidationError(
        _("“%(value)s” is not yes or no (%(field)s).")
        % {"value": text, "field": field.replace("_", " ")}
    )


def _custom_clean(custom, text: str):
    """A custom field's value; a choice field takes its choices case-insensitively, and a
    value that is none of them leaves the field empty with a note (FieldNote)."""
    if custom.field_type != CustomFieldType.CHOICE:
        return custom_value_clean(custom, text)
    allowed = choice_values(custom)
    for choice in allowed:
        if choice.lower() == text.strip().lower():
            return choice
    raise FieldNote(
        _(
            "“%(value)s” is not one of the choices of %(label)s (%(choices)s); the field was left empty."
        )
        % {"value": text, "label": custom.label, "choices": ", ".join(allowed)}
    )


class RowCleaner:
    """Cleans rows for one import: knows the mapping, the model limits and custom fields."""

    def __init__(
        self, *, workspace, entity: str, mapping: dict[str, str], date_order: str = DateOrder.AUTO
    ):
        self.entity = entity
        self.region = workspace.country  # phone numbers without a country code
        # "03/04/1970": the import's choice, or the workspace's country's custom
        self.date_order = workspace_date_order(workspace, date_order)
        self.today = timezone.localdate()
        self.model = Contact if entity == CustomFieldEntity.CONTACT else Account
        self.columns = sorted(((int(i), f) for i, f in mapping.items() if f), key=lambda x: x[0])
        self.custom = {
            f"{CUSTOM_PREFIX}{c.key}": c
            for c in custom_field_list(workspace=workspace, entity=entity)
        }
        self.max_lengths = {
            f.name: f.max_length
            for f in self.model._meta.concrete_fields
            if getattr(f, "max_length", None)
        }
        self.max_lengths["company"] = Account._meta.get_field("name").max_length
        mapped = {f for _i, f in self.columns}
        self.mapped = mapped
        produced = mapped | (set(_NAME_PARTS) if "full_name" in mapped else set())
        # only the limits of fields this file fills are checked per row
        self.max_lengths = {k: v for k, v in self.max_lengths.items() if k in produced}
        self.required_custom = [c for key, c in self.custom.items() if c.required and key in mapped]
        self._phones: dict[str, object] = {}  # cell text -> PhoneNumber, or error messages

    def _phone_parse(self, text: str):
        """phone_cell_parse(text, region), read once per distinct text of this import
        (PHONE_CACHE_SIZE); raises the same ValidationError (messages) for a bad cell."""
        found = self._phones.get(text)
        if found is None:
            try:
                found = phone_cell_parse(text, self.region)
            except ValidationError as exc:
                found = tuple(exc.messages)
            if len(self._phones) >= PHONE_CACHE_SIZE:
                self._phones.clear()
            self._phones[text] = found
        if isinstance(found, tuple):
            raise ValidationError(list(found))
        return found

    def clean(self, cells: list[str]) -> tuple[dict, list[str]]:
        """({field: value, "custom": {...}}, problems) for one row (its notes: `clean_row`)."""
        values, problems, _notes = self.clean_row(cells)
        return values, problems

    def clean_row(self, cells: list[str]) -> tuple[dict, list[str], list[str]]:
        """({field: value, "custom": {...}}, problems, notes) for one row. A problem rejects
        the row; a note (FieldNote: a value that cannot be used, its field left empty) is
        kept with the imported row."""
        values, custom, problems, notes = {}, {}, [], []
        for index, field in self.columns:
            text = _strip_cell(cells[index]) if index < len(cells) else ""
            if not text:
                continue
            if len(text) > limits.MAX_FIELD_CHARS:
                problems.append(
                    _(
                        "Column %(column)s holds more than %(limit)s characters (a spreadsheet "
                        "cell holds at most 32,767); the row was not imported."
                    )
                    % {"column": index + 1, "limit": f"{limits.MAX_FIELD_CHARS:,}"}
                )
                continue
            try:
                if field in self.custom:
                    custom[self.custom[field].key] = self._clean_custom(self.custom[field], text)
                else:
                    values.update(self._clean_field(field, text))
            except FieldNote as note:
                notes.extend(note.messages)
            except ValidationError as exc:
                problems.extend(exc.messages)
        for key, limit in self.max_lengths.items():
            value = values.get(key)
            if isinstance(value, str) and len(value) > limit:
                problems.append(
                    _("%(field)s is longer than %(limit)s characters.")
                    % {"field": key.replace("_", " ").capitalize(), "limit": limit}
                )
        for field in self.required_custom:
            if field.key not in custom:
                problems.append(_("%(label)s is required.") % {"label": field.label})
        if custom:
            values["custom"] = custom
        if not problems:
            problems.extend(self._identity_problems(values))
        return values, problems, notes

    def _clean_custom(self, field, text: str):
        if field.field_type == CustomFieldType.DATE:
            try:  # the same spreadsheet forms as the date of birth, in the import's order
                parsed = _parse_full_date(text, order=self.date_order, today=self.today)
            except DateError:
                parsed = None  # custom_value_clean says what is wrong
            if parsed is not None:
                return custom_value_clean(field, parsed)
        return _custom_clean(field, text)

    def _identity_problems(self, values: dict) -> list[str]:
        if self.entity == CustomFieldEntity.ACCOUNT:
            return [] if values.get("name") else [_("The row has no company name.")]
        if any(values.get(k) for k in ("first_name", "last_name", "email", "phone", "mobile")):
            return []
        return [_("The row has no name, email or phone number.")]

    def _phone_cell(self, field: str, text: str) -> dict:
        """A phone, mobile or extension cell: E.164 read with the workspace's country (a
        spreadsheet's number cell too, see contacts.phones.phone_cell_parse); an extension
        in the phone cell goes to phone_extension. A mobile takes no extension; an
        extension column holds digits."""
        if field == "phone_extension":
            digits = "".join(text.split()).removeprefix("ext.").removeprefix("x")
            if digits.endswith(".0"):  # a number cell
                digits = digits[:-2]
            if not digits.isdigit() or len(digits) > 20:
                raise ValidationError(
                    _("“%(value)s” is not an extension (digits only, e.g. 201).") % {"value": text}
                )
            return {field: digits}
        number = self._phone_parse(text)
        if number.extension and field != "phone":
            raise ValidationError(
                _("“%(value)s” has an extension; a mobile number takes none.") % {"value": text}
            )
        if number.extension:
            return {field: number.e164, "phone_extension": number.extension}
        return {field: number.e164}

    def _clean_field(self, field: str, text: str) -> dict:
        if field in ("email", "email2"):
            email = normalize_email(text)
            if not email:  # only invisible characters
                return {}
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError(
                    _("“%(value)s” is not a valid email address.") % {"value": text}
                ) from None
            return {field: email, f"{field}_key": email_key(email)}
        if field in ("phone", "mobile", "phone_extension"):
            return self._phone_cell(field, text)
        if field == "full_name":
            return self._full_name(text)
        if field == "date_of_birth":
            return self._birthday(text)
        if field in _CHOICES:
            value = _choice_value(field, text)
            return {field: value} if value else {}
        if field in _BOOLEAN:
            return {field: _boolean(field, text)}
        if field == "website" and not re.match(r"^https?://", text, re.I):
            text = f"https://{text}"
        if field == "domain":
            text = domain_normalize(text)
        if field == "language":
            text = text.lower()[:8]
        return {field: text}

    def _full_name(self, text: str) -> dict:
        """First and last name, salutation and title from one written name; only into the
        fields no column of their own fills (a file with first and last name columns keeps
        them)."""
        split = split_full_name(text)
        out = {}
        if not ({"first_name", "last_name"} & self.mapped):
            out.update(
                {
                    k: v
                    for k, v in (("first_name", split.first_name), ("last_name", split.last_name))
                    if v
                }
            )
        if split.salutation and "salutation" not in self.mapped:
            out["salutation"] = split.salutation
        if split.title and "title" not in self.mapped:
            out["title"] = split.title
        return out

    def _birthday(self, text: str) -> dict:
        """date_of_birth with its month and day, or only month and day for a birthday
        without a year; a text that holds no usable birth date is left empty with a note."""
        # a leading apostrophe marks a spreadsheet cell as text (our own CSV export writes a
        # birthday without a year, "--05-17", so; see contacts.selectors.exports)
        text = text.removeprefix("'")
        try:
            born = parse_partial_date(text, order=self.date_order, today=self.today, past=True)
        except DateError as exc:
            raise LeaveEmpty(
                _("Date of birth “%(value)s” left empty: %(reason)s")
                % {"value": text, "reason": str(exc)}
            ) from None
        if born is None:
            return {}
        out = {"birthday_month": born.month, "birthday_day": born.day}
        if born.year is not None:
            out["date_of_birth"] = born.date
        return out
