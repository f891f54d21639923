"""Apps register their own permissions; every permission the code asks for is registered."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from workspaces import roles
from workspaces.roles import MANAGERS, Role, has_perm, register_permissions

ASKED = re.compile(
    r"""(?:workspace_view\(\s*|permission_required\s*=\s*|write_perm(?:ission)?\s*=\s*|"""
    r"""perm\s*=\s*|\{%\s*can\s+|has_perm\([^,()]+,\s*)["']([a-z_]+\.[a-z_]+)["']"""
)
CODE_DIRS = ("workspaces", "contacts", "sales", "touchpoints", "marketing", "service", "templates")


@pytest.fixture
def clean_permissions(monkeypatch):
    monkeypatch.setattr(roles, "PERMISSIONS", dict(roles.PERMISSIONS))


def asked_permissions() -> set[str]:
    base = Path(settings.BASE_DIR)
    found = set()
    for folder in CODE_DIRS:
        for path in (base / folder).rglob("*"):
            if path.suffix in (".py", ".html") and "migrations" not in path.parts:
                found |= set(ASKED.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_permission_the_code_asks_for_is_registered_by_some_app():
    asked = asked_permissions()
    assert {"contacts.view", "sales.edit", "members.manage"} <= asked  # the scan finds them
    assert sorted(asked - set(roles.PERMISSIONS)) == []


def test_each_app_registered_its_own_permissions():
    assert has_perm(Role.MARKETING, "marketing.edit")
    assert has_perm(Role.SERVICE, "service.edit")
    assert has_perm(Role.SALES, "sales.edit") and not has_perm(Role.SALES, "sales.delete")
    assert has_perm(Role.READONLY, "contacts.view")
    assert not has_perm(Role.READONLY, "contacts.edit")


def test_a_permission_is_defined_once(clean_permissions):
    with pytest.raises(ValueError, match="registered already"):
        register_permissions({"sales.edit": MANAGERS})
    with pytest.raises(ValueError, match="unknown roles"):
        register_permissions({"loyalty.view": {"wizard"}})
    assert "loyalty.view" not in roles.PERMISSIONS


def test_a_new_apps_permission_works_once_registered(clean_permissions):
    assert not has_perm(Role.OWNER, "loyalty.view")  # unknown: fail closed
    register_permissions({"loyalty.view": MANAGERS})
    assert has_perm(Role.MANAGER, "loyalty.view")
    assert not has_perm(Role.SALES, "loyalty.view")
