"""The shell's registries refuse a second registration of a key (no silent overwrite)."""

import pytest

from contacts import registry as contact_registry
from workspaces import registry
from workspaces.roles import Role


def test_every_registry_refuses_a_duplicate_key():
    nav = next(iter(registry.nav_for(Role.OWNER)))
    with pytest.raises(ValueError, match="registered already"):
        registry.register_nav(nav)
    with pytest.raises(ValueError, match="registered already"):
        registry.register_home_panel(registry.home_panels_for(Role.OWNER)[0])
    with pytest.raises(ValueError, match="registered already"):
        registry.register_search_source(registry.search_sources_for(Role.OWNER)[0])
    with pytest.raises(ValueError, match="registered already"):
        registry.register_demo_seeder(registry.demo_seeders()[0])
    with pytest.raises(ValueError, match="registered already"):
        contact_registry.register_contact_panel(next(iter(contact_registry._contact_panels)))
    with pytest.raises(ValueError, match="registered already"):
        contact_registry.register_record_action(
            "contact", contact_registry.record_actions("contact", role=Role.OWNER)[0]
        )
    with pytest.raises(ValueError, match="registered already"):
        contact_registry.register_caller_lookup(next(iter(contact_registry._caller_sources)))


def test_registry_lists_by_order_and_role():
    reg = registry.Registry("test")
    reg.register(registry.NavItem(key="b", label="B", url_name="x", perm="sales.view", order=2))
    reg.register(registry.NavItem(key="a", label="A", url_name="x", perm="contacts.view", order=1))
    assert [i.key for i in reg.for_role(Role.OWNER)] == ["a", "b"]
    assert [i.key for i in reg.for_role(Role.MARKETING)] == ["a"]
    assert reg.for_role(None) == []
