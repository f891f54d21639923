"""API keys: the service (role limit, hash, revoke), the pages and the command."""

import hashlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from api.keys import key_prefix, roles_within
from api.models import ApiKey
from api.selectors.keys import api_key_resolve
from api.services.keys import api_key_create, api_key_revoke
from workspaces.models import ChangeEvent
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db


def test_create_stores_only_the_hash_and_records_an_event(api_key_for, workspace):
    api_key, key, user = api_key_for(Role.ADMIN)
    assert key.startswith(f"crm_{api_key.prefix}_") and len(api_key.prefix) == 12
    assert len(key) > 40 and key_prefix(key) == api_key.prefix
    assert api_key.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiKey.all_workspaces.filter(pk=api_key.pk).values().get())
    assert api_key.created_by == user and api_key.role == Role.ADMIN
    event = ChangeEvent.all_workspaces.get(model="api.apikey", object_id=api_key.pk)
    assert event.action == "created" and event.actor_id == user.pk
    assert api_key_resolve(key) == api_key
    assert api_key_resolve(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert api_key_resolve("crm_nonsense") is None


def test_role_cannot_exceed_the_creators(member_factory, workspace):
    sales = member_factory(Role.SALES)
    with workspace_scope(workspace):
        with pytest.raises(Exception) as exc:
            api_key_create(workspace=workspace, actor=sales, name="x", role=Role.OWNER)
        assert "role" in exc.value.message_dict
        with pytest.raises(Exception) as exc:  # read-only keys may read marketing, sales may not
            api_key_create(workspace=workspace, actor=sales, name="x", role=Role.READONLY)
        api_key, _ = api_key_create(workspace=workspace, actor=sales, name="x", role=Role.SALES)
    assert api_key.role == Role.SALES
    assert Role.OWNER not in roles_within(Role.ADMIN) and Role.ADMIN in roles_within(Role.ADMIN)
    assert set(roles_within(Role.OWNER)) == set(Role.values)
    assert roles_within(Role.READONLY) == [Role.READONLY]
    assert set(roles_within(Role.MANAGER)) >= {Role.MANAGER, Role.SALES}


def test_revoked_key_is_not_resolved(api_key_for, workspace):
    api_key, key, user = api_key_for(Role.OWNER)
    with workspace_scope(workspace):
        api_key_revoke(workspace=workspace, actor=user, api_key=api_key)
        api_key_revoke(workspace=workspace, actor=user, api_key=api_key)  # no second event
    assert api_key_resolve(key) is None
    assert ChangeEvent.all_workspaces.filter(model="api.apikey", action="updated").count() == 1


def test_pages_create_shows_key_once_and_revoke(client_for, workspace):
    client = client_for(Role.ADMIN)
    page = client.get("/w/acme/api-keys/")
    assert page.status_code == 200 and "No API keys yet" in page.content.decode()
    form = client.get("/w/acme/api-keys/new/").content.decode()
    assert 'value="owner"' not in form and 'value="admin"' in form
    refused = client.post("/w/acme/api-keys/new/", {"name": "Shop", "role": "owner"})
    assert "owner" in refused.content.decode()
    assert refused.status_code == 200 and not ApiKey.all_workspaces.exists()
    created = client.post("/w/acme/api-keys/new/", {"name": "Shop", "role": "sales"})
    assert created.status_code == 302 and created["Location"] == "/w/acme/api-keys/created/"
    api_key = ApiKey.all_workspaces.get()
    shown = client.get(created["Location"])
    body = shown.content.decode()
    assert f"crm_{api_key.prefix}_" in body and api_key.created_by == client.user
    assert "no-store" in shown["Cache-Control"]
    # a reload neither shows the key again nor makes another one
    again = client.get(created["Location"], follow=True).content.decode()
    assert f"crm_{api_key.prefix}_" not in again and "shown only once" in again
    assert ApiKey.all_workspaces.count() == 1
    listing = client.get("/w/acme/api-keys/").content.decode()
    assert api_key.prefix in listing and f"crm_{api_key.prefix}_" not in listing
    assert client.get(f"/w/acme/api-keys/{api_key.pk}/revoke/").status_code == 200
    api_key.refresh_from_db()
    assert api_key.revoked_at is None  # GET only asks
    assert client.post(f"/w/acme/api-keys/{api_key.pk}/revoke/").status_code == 302
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None


def test_pages_need_the_permission(client_for, workspace):
    client = client_for(Role.MANAGER)
    assert client.get("/w/acme/api-keys/").status_code == 403
    assert (
        client.post("/w/acme/api-keys/new/", {"name": "x", "role": "readonly"}).status_code == 403
    )
    settings_page = client_for(Role.OWNER).get("/w/acme/settings/")
    assert "/w/acme/api-keys/" in settings_page.content.decode()


def test_command_prints_a_working_key(workspace, capsys):
    call_command("create_api_key", workspace="acme", name="ERP", role="sales")
    key = capsys.readouterr().out.strip()
    api_key = api_key_resolve(key)
    assert api_key.name == "ERP" and api_key.role == Role.SALES and api_key.created_by is None
    with pytest.raises(CommandError):
        call_command("create_api_key", workspace="nope", name="ERP")


def test_removing_the_creator_revokes_their_keys(api_key_for, workspace, owner):
    from workspaces.models import Membership
    from workspaces.services import membership_remove

    api_key, key, user = api_key_for(Role.SALES)
    kept, kept_key, _ = api_key_for(Role.SALES)
    with workspace_scope(workspace):
        membership = Membership.objects.get(workspace=workspace, user=user)
        membership_remove(workspace=workspace, actor=owner, membership=membership)
    assert api_key_resolve(key) is None
    assert api_key_resolve(kept_key) == kept
    event = ChangeEvent.all_workspaces.get(
        model="api.apikey", object_id=api_key.pk, action="updated"
    )
    assert "revoked_at" in event.fields
