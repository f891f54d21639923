"""Roles and what they may do: the one table that maps roles to permissions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    MANAGER = "manager", _("Sales manager")
    SALES = "sales", _("Sales rep")
    MARKETING = "marketing", _("Marketer")
    SERVICE = "service", _("Service agent")
    READONLY = "readonly", _("Read-only")


_ALL = frozenset(Role.values)
_WRITERS = _ALL - {Role.READONLY}
_LEADS = frozenset({Role.OWNER, Role.ADMIN})
_MANAGERS = _LEADS | {Role.MANAGER}

# permission -> roles that hold it. Views ask `has_perm(role, "deals.delete")`.
PERMISSIONS: dict[str, frozenset[str]] = {
    # platform
    "workspace.manage": _LEADS,
    "members.manage": _LEADS,
    "admin.access": _LEADS,
    # contacts and the shared history: everyone reads, writers write
    "contacts.view": _ALL,
    "contacts.edit": _WRITERS,
    "contacts.delete": _MANAGERS,
    "contacts.import": _MANAGERS | {Role.SALES, Role.MARKETING},
    "contacts.export": _MANAGERS | {Role.SALES, Role.MARKETING},
    "contacts.merge": _MANAGERS,
    "contacts.configure": _MANAGERS,  # custom fields on contacts and accounts
    "interactions.log": _WRITERS,
    # sales
    "sales.view": _MANAGERS | {Role.SALES, Role.READONLY},
    "sales.edit": _MANAGERS | {Role.SALES},
    "sales.delete": _MANAGERS,
    "sales.configure": _MANAGERS,  # pipelines, stages, lost reasons, catalogue
    "sales.analyse": _MANAGERS | {Role.SALES, Role.READONLY},
    # marketing
    "marketing.view": _LEADS | {Role.MARKETING, Role.READONLY},
    "marketing.edit": _LEADS | {Role.MARKETING},
    # service
    "service.view": _MANAGERS | {Role.SERVICE, Role.READONLY},
    "service.edit": _MANAGERS | {Role.SERVICE},
}


def has_perm(role: str | None, perm: str) -> bool:
    """Whether `role` holds `perm`. Unknown permissions are refused (fail closed)."""
    if role is None:
        return False
    return role in PERMISSIONS.get(perm, frozenset())
