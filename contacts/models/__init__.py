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
    ImportedRecord,
    ImportJob,
    ImportPossibleDuplicate,
    ImportRowError,
    ImportRowKind,
    ImportStatus,
)
from .merges import ContactMergeRedirect
from .privacy import (
    ErasedAddress,
    PrivacyRequest,
    PrivacyRequestKind,
    PrivacyRequestStatus,
    PrivacySettings,
)

__all__ = [
    "ErasedAddress",
    "PrivacyRequest",
    "PrivacyRequestKind",
    "PrivacyRequestStatus",
    "PrivacySettings",
    "Account",
    "AccountSize",
    "AccountTag",
    "Address",
    "Contact",
    "ContactMergeRedirect",
    "ContactTag",
    "CustomField",
    "CustomFieldEntity",
    "CustomFieldType",
    "DedupeMode",
    "Education",
    "BulkDeleteJob",
    "ExportJob",
    "ExportStatus",
    "ImportedRecord",
    "ImportJob",
    "ImportPossibleDuplicate",
    "ImportRowError",
    "ImportRowKind",
    "ImportStatus",
    "LifecycleStage",
    "PreferredChannel",
    "Salutation",
    "Sex",
    "Tag",
]
