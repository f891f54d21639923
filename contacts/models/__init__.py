"""Models of the contacts app, one module per concept. Django loads an app's models from this
package, so it imports every model module (the one package whose __init__ is not empty)."""

from .contacts import (
    Account,
    AccountSize,
    AccountTag,
    Address,
    Contact,
    ContactTag,
    Education,
    LifecycleStage,
    PreferredChannel,
    Salutation,
    Sex,
    Tag,
)
from .custom_fields import CustomField, CustomFieldEntity, CustomFieldType
from .jobs import (
    BulkDeleteJob,
    DedupeMode,
    ExportJob,
    ExportStatus,
    ImportJob,
    ImportRowError,
    ImportRowKind,
    ImportStatus,
)

__all__ = [
    "Account",
    "AccountSize",
    "AccountTag",
    "Address",
    "Contact",
    "ContactTag",
    "CustomField",
    "CustomFieldEntity",
    "CustomFieldType",
    "DedupeMode",
    "Education",
    "BulkDeleteJob",
    "ExportJob",
    "ExportStatus",
    "ImportJob",
    "ImportRowError",
    "ImportRowKind",
    "ImportStatus",
    "LifecycleStage",
    "PreferredChannel",
    "Salutation",
    "Sex",
    "Tag",
]
