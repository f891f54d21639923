"""Roles and what they may do.

The platform's permissions are in `PERMISSIONS` below; every app registers its own from its
registration module (`register_permissions`, called from `AppConfig.ready()`), so a new app
never edits this file. Role sets (`ALL_ROLES`, `WRITERS`, `LEADS`, `MANAGERS`) are shared so
every app speaks of the same groups.
"""

from collections.abc import Mapping

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


ALL_ROLES = frozenset(Role.values)
WRITERS = ALL_ROLES - {Role.READONLY}
LEADS = frozenset({Role.OWNER, Role.ADMIN})
MANAGERS = LEADS | {Role.MANAGER}

# permission -> roles that hold it. Views ask `has_perm(role, "sales.delete")`.
PERMISSIONS: dict[str, frozenset[str]] = {
    "workspace.manage": LEADS,
    "members.manage": LEADS,
    "admin.access": LEADS,
}


def register_permissions(permissions: Mapping[str, frozenset[str] | set[str]]) -> None:
    """Add an app's permissions: {"sales.edit": MANAGERS | {Role.SALES}, ...}.

    Raises ValueError for a permission registered before or a role that does not exist (a
    permission is defined once, by the app that owns it)."""
    for perm, roles in permissions.items():
        if perm in PERMISSIONS:
            raise ValueError(f"permission {perm!r} is registered already")
        unknown = set(roles) - ALL_ROLES
        if unknown:
            raise ValueError(f"permission {perm!r} names unknown roles {sorted(unknown)}")
    for perm, roles in permissions.items():
        PERMISSIONS[perm] = frozenset(roles)


def has_perm(role: str | None, perm: str) -> bool:
    """Whether `role` holds `perm`. Unknown permissions are refused (fail closed)."""
    if role is None:
        return False
    return role in PERMISSIONS.get(perm, frozenset())
