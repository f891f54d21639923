"""Authentication, workspace isolation and role limits of the API."""

import pytest
from django.utils import timezone

from api.models import ApiKey
from api.services.keys import api_key_revoke
from tests.api.conftest import key_client
from tests.contacts.factories import ContactFactory
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db


def _error(response) -> dict:
    return response.json()["error"]


def test_missing_key_is_401_with_bearer_challenge(client):
    response = client.get("/api/v1/contacts/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert _error(response)["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "header",
    ["Bearer crm_aaaaaaaaaaaa_" + "x" * 43, "Bearer nonsense", "Bearer", "Bearer a b"],
)
def test_wrong_key_is_401(client, api_key_for, header):
    api_key_for(Role.OWNER)
    response = client.get("/api/v1/contacts/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert _error(response)["code"] == "authentication_failed"


def test_a_valid_key_with_a_wrong_secret_is_401(client, api_key_for):
    api_key, key, _ = api_key_for(Role.OWNER)
    tampered = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    response = client.get("/api/v1/contacts/", HTTP_AUTHORIZATION=f"Bearer {tampered}")
    assert response.status_code == 401


def test_revoked_key_is_401(api_client, workspace):
    assert api_client.get("/api/v1/contacts/").status_code == 200
    with workspace_scope(workspace):
        api_key_revoke(workspace=workspace, actor=api_client.user, api_key=api_client.api_key)
    response = api_client.get("/api/v1/contacts/")
    assert response.status_code == 401 and _error(response)["code"] == "authentication_failed"


def test_no_session_authentication_on_the_api(owner_client):
    assert owner_client.get("/api/v1/contacts/").status_code == 401


def test_other_workspaces_objects_are_404(api_client, other_workspace, api_key_for):
    theirs = ContactFactory(workspace=other_workspace, last_name="Theirs")
    ours = ContactFactory(workspace=api_client.api_key.workspace, last_name="Ours")
    listed = api_client.get("/api/v1/contacts/").json()["results"]
    assert [row["id"] for row in listed] == [ours.pk]
    for method in ("get", "patch", "delete"):
        response = getattr(api_client, method)(f"/api/v1/contacts/{theirs.pk}/", {})
        assert response.status_code == 404, method
        assert _error(response)["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.last_name == "Theirs"
    # their own key sees it
    _, their_key, _ = api_key_for(Role.OWNER, other_workspace)
    assert key_client(their_key).get(f"/api/v1/contacts/{theirs.pk}/").status_code == 200


def test_a_contact_of_another_workspace_cannot_be_linked(api_client, other_workspace):
    from tests.contacts.factories import AccountFactory

    their_account = AccountFactory(workspace=other_workspace)
    response = api_client.post(
        "/api/v1/contacts/", {"last_name": "Ours", "account": their_account.pk}
    )
    assert response.status_code == 400
    assert "account" in _error(response)["fields"]


@pytest.mark.parametrize(
    ("role", "method", "expected"),
    [
        (Role.READONLY, "get", 200),
        (Role.READONLY, "post", 403),
        (Role.SALES, "post", 201),
        (Role.SALES, "delete", 403),
        (Role.MANAGER, "delete", 204),
    ],
)
def test_role_limits(api_client_for, workspace, role, method, expected):
    client = api_client_for(role)
    contact = ContactFactory(workspace=workspace, last_name="Roe")
    if method == "get":
        response = client.get(f"/api/v1/contacts/{contact.pk}/")
    elif method == "post":
        response = client.post("/api/v1/contacts/", {"last_name": "New"})
    else:
        response = client.delete(f"/api/v1/contacts/{contact.pk}/")
    assert response.status_code == expected, response.content
    if expected == 403:
        assert _error(response)["code"] == "permission_denied"


def test_last_used_is_stamped_at_most_once_a_minute(api_client, django_assert_num_queries):
    api_key = api_client.api_key
    assert api_key.last_used_at is None
    api_client.get("/api/v1/contacts/")
    first = ApiKey.all_workspaces.get(pk=api_key.pk).last_used_at
    assert first is not None and (timezone.now() - first).total_seconds() < 5
    api_client.get("/api/v1/contacts/")
    assert ApiKey.all_workspaces.get(pk=api_key.pk).last_used_at == first


def test_a_key_loses_the_rights_its_creator_lost(api_key_for, workspace):
    """A key never holds more than its creator's current role: an admin's admin key stops
    working when the admin is made a sales rep, works again as a sales key made then, and a
    key made by an operator's command (no creator) is not affected."""
    from workspaces.models import Membership

    api_key, key, creator = api_key_for(Role.ADMIN)
    client = key_client(key)
    assert client.get("/api/v1/contacts/").status_code == 200
    Membership.all_workspaces.filter(workspace=workspace, user=creator).update(role=Role.SALES)
    refused = client.get("/api/v1/contacts/")
    assert refused.status_code == 401
    assert "creator" in _error(refused)["message"]
    Membership.all_workspaces.filter(workspace=workspace, user=creator).update(role=Role.ADMIN)
    assert client.get("/api/v1/contacts/").status_code == 200
    Membership.all_workspaces.filter(workspace=workspace, user=creator).delete()
    assert client.get("/api/v1/contacts/").status_code == 401
