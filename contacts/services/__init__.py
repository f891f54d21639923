"""Writes on contacts, accounts, tags and custom fields (DESIGN.md §3).

Every function is keyword-only and transactional, validates with `full_clean()`, refuses
related objects of another workspace (an owner must be a member), normalises email addresses
(lower case) and phone numbers (E.164) and appends a change event. Errors are
`ValidationError`s keyed by field name (custom fields as `custom_<key>`), so forms can show
them at the field.
"""

from ._common import owner_check
from .accounts import (
    ACCOUNT_FIELDS,
    account_create,
    account_delete,
    account_update,
    domain_normalize,
)
from .bulk import (
    BULK_LIMIT,
    contacts_bulk_add_tag,
    contacts_bulk_assign_owner,
    contacts_bulk_delete,
)
from .contacts import (
    CONTACT_EMAIL_FIELDS,
    CONTACT_FIELDS,
    CONTACT_PHONE_FIELDS,
    contact_create,
    contact_delete,
    contact_update,
    contact_values_normalize,
)
from .custom_fields import (
    custom_field_define,
    custom_field_delete,
    custom_field_key_for,
    custom_field_update,
)
from .tags import tag_get_or_create

__all__ = [
    "ACCOUNT_FIELDS",
    "BULK_LIMIT",
    "CONTACT_EMAIL_FIELDS",
    "CONTACT_FIELDS",
    "CONTACT_PHONE_FIELDS",
    "account_create",
    "account_delete",
    "account_update",
    "contact_create",
    "contact_delete",
    "contact_update",
    "contact_values_normalize",
    "contacts_bulk_add_tag",
    "contacts_bulk_assign_owner",
    "contacts_bulk_delete",
    "custom_field_define",
    "custom_field_delete",
    "custom_field_key_for",
    "custom_field_update",
    "domain_normalize",
    "owner_check",
    "tag_get_or_create",
]
