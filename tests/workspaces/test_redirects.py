"""One safe-redirect helper: a `next` address is followed only to a path of this site (of
this workspace, on workspace pages), for every view that takes one."""

from pathlib import Path

import pytest
from django.test import RequestFactory

from tests.contacts.factories import ContactFactory
from tests.sales.factories import ActivityFactory
from workspaces.redirects import safe_next_url, workspace_next_url

pytestmark = pytest.mark.django_db

OFFSITE = [
    "//evil.example",
    "//evil.example/w/acme/",
    "https://evil.example",
    "https://evil.example/w/acme/",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "/\t/evil.example",
    " //evil.example",
    "http://testserver@evil.example/",
    "evil.example",
]


def _request(path="/w/acme/contacts/"):
    request = RequestFactory().get(path)
    request.workspace = type("W", (), {"slug": "acme"})()
    return request


@pytest.mark.parametrize("target", OFFSITE)
def test_offsite_addresses_fall_back_to_the_default(target):
    assert safe_next_url(_request(), target, default="/home/") == "/home/"
    assert workspace_next_url(_request(), target, default="/w/acme/") == "/w/acme/"


def test_local_paths_are_followed():
    assert safe_next_url(_request(), "/accounts/profile/?x=1", default="/") == (
        "/accounts/profile/?x=1"
    )
    assert workspace_next_url(_request(), "/w/acme/sales/deals/", default="/w/acme/") == (
        "/w/acme/sales/deals/"
    )


def test_workspace_pages_keep_people_in_their_workspace():
    assert workspace_next_url(_request(), "/w/globex/contacts/", default="/w/acme/") == "/w/acme/"
    assert workspace_next_url(_request(), "/w/acme-evil/", default="/w/acme/") == "/w/acme/"
    assert workspace_next_url(_request(), "/accounts/", default="/w/acme/") == "/w/acme/"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example"])
def test_the_contact_bulk_action_ignores_an_offsite_next(owner_client, workspace, owner, target):
    contact = ContactFactory(workspace=workspace)
    response = owner_client.post(
        "/w/acme/contacts/bulk/",
        {"action": "assign_owner", "ids": [contact.pk], "owner": owner.pk, "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == "/w/acme/contacts/"


def test_the_contact_bulk_action_follows_a_local_next(owner_client, workspace, owner):
    contact = ContactFactory(workspace=workspace)
    response = owner_client.post(
        "/w/acme/contacts/bulk/",
        {
            "action": "assign_owner",
            "ids": [contact.pk],
            "owner": owner.pk,
            "next": "/w/acme/contacts/?sort=name",
        },
    )
    assert response["Location"] == "/w/acme/contacts/?sort=name"


@pytest.mark.parametrize("target", ["//evil.example", "javascript:alert(1)", "/w/globex/"])
def test_completing_an_activity_ignores_an_offsite_next(owner_client, workspace, owner, target):
    activity = ActivityFactory(workspace=workspace, owner=owner)
    response = owner_client.post(
        f"/w/acme/sales/activities/{activity.pk}/done/", {"outcome": "", "next": target}
    )
    assert response["Location"] == "/w/acme/sales/activities/"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example"])
def test_the_language_switch_ignores_an_offsite_next(owner_client, target):
    response = owner_client.post("/accounts/language/", {"language": "", "next": target})
    assert response["Location"] == "/"


def test_the_admin_login_hands_on_only_a_local_next(client):
    response = client.get("/admin/login/?next=//evil.example")
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_no_view_checks_a_next_address_by_hand():
    """Only workspaces/redirects.py calls url_has_allowed_host_and_scheme."""
    root = Path(__file__).resolve().parents[2]
    skip = {".venv", "tests", "var", "node_modules", "static"}
    found = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if not skip & set(path.relative_to(root).parts)
        and "url_has_allowed_host_and_scheme" in path.read_text(encoding="utf-8")
    ]
    assert found == ["workspaces/redirects.py"]
