"""Members: role changes and removals with the owner rules; only owners/admins manage."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import MembershipFactory
from workspaces.models import ChangeEvent, Membership
from workspaces.roles import Role
from workspaces.services import membership_remove, membership_role_change

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_scope(scope):
    """Services and forms run inside the workspace scope, as in a request or task."""


def membership_of(user):
    return Membership.all_workspaces.get(user=user)


def role_url(m):
    return f"/w/acme/settings/members/{m.pk}/role/"


def remove_url(m):
    return f"/w/acme/settings/members/{m.pk}/remove/"


def test_members_page_lists_members_and_invitations_in_few_queries(
    owner_client, member_factory, django_assert_max_num_queries
):
    for role in (Role.SALES, Role.MARKETING, Role.SERVICE, Role.READONLY):
        member_factory(role)
    with django_assert_max_num_queries(10):
        response = owner_client.get("/w/acme/settings/members/")
    assert response.status_code == 200
    assert len(response.context["members"]) == 5


def test_owner_changes_a_role(owner_client, member_factory):
    rep = membership_of(member_factory(Role.SALES))
    response = owner_client.post(role_url(rep), {f"m{rep.pk}-role": "manager"})
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.role == Role.MANAGER
    event = ChangeEvent.all_workspaces.filter(model="workspaces.membership").last()
    assert (event.object_id, event.action, event.fields) == (rep.pk, "updated", ["role"])


def test_admin_cannot_grant_owner(client_for, member_factory):
    client = client_for(Role.ADMIN)
    rep = membership_of(member_factory(Role.SALES))
    response = client.post(role_url(rep), {f"m{rep.pk}-role": "owner"})
    assert response.status_code == 400
    rep.refresh_from_db()
    assert rep.role == Role.SALES


def test_admin_cannot_demote_an_owner(client_for, owner, member_factory):
    member_factory(Role.OWNER)  # a second owner: the rule is about who acts
    client = client_for(Role.ADMIN)
    target = membership_of(owner)
    client.post(role_url(target), {f"m{target.pk}-role": "sales"})
    target.refresh_from_db()
    assert target.role == Role.OWNER


def test_owner_grants_owner(owner_client, member_factory):
    admin = membership_of(member_factory(Role.ADMIN))
    owner_client.post(role_url(admin), {f"m{admin.pk}-role": "owner"})
    admin.refresh_from_db()
    assert admin.role == Role.OWNER


def test_last_owner_cannot_be_demoted(owner_client, owner):
    me = membership_of(owner)
    response = owner_client.post(role_url(me), {f"m{me.pk}-role": "admin"})
    assert response.status_code == 400
    assert "last owner" in response.content.decode()
    me.refresh_from_db()
    assert me.role == Role.OWNER


def test_an_owner_can_step_down_when_another_owner_exists(owner_client, owner, member_factory):
    member_factory(Role.OWNER)
    me = membership_of(owner)
    owner_client.post(role_url(me), {f"m{me.pk}-role": "admin"})
    me.refresh_from_db()
    assert me.role == Role.ADMIN


def test_owner_removes_a_member(owner_client, member_factory):
    rep = membership_of(member_factory(Role.SALES))
    assert owner_client.get(remove_url(rep)).status_code == 200
    response = owner_client.post(remove_url(rep))
    assert response.status_code == 302
    assert not Membership.all_workspaces.filter(pk=rep.pk).exists()
    event = ChangeEvent.all_workspaces.filter(model="workspaces.membership").last()
    assert (event.object_id, event.action) == (rep.pk, "deleted")


def test_removed_member_loses_access(owner_client, client_for):
    rep_client = client_for(Role.SALES)
    rep = membership_of(rep_client.user)
    owner_client.post(remove_url(rep))
    assert rep_client.get("/w/acme/").status_code == 404


def test_last_owner_cannot_be_removed(owner_client, owner):
    me = membership_of(owner)
    response = owner_client.post(remove_url(me))
    assert response.status_code == 400
    assert Membership.all_workspaces.filter(pk=me.pk).exists()


def test_admin_cannot_remove_an_owner(client_for, owner, member_factory):
    member_factory(Role.OWNER)
    client = client_for(Role.ADMIN)
    target = membership_of(owner)
    assert client.post(remove_url(target)).status_code == 400
    assert Membership.all_workspaces.filter(pk=target.pk).exists()


def test_service_refuses_an_unknown_role(workspace, owner, member_factory):
    rep = membership_of(member_factory(Role.SALES))
    with pytest.raises(ValidationError):
        membership_role_change(workspace=workspace, actor=owner, membership=rep, role="king")


def test_service_keeps_the_last_owner_when_removing(workspace, owner):
    with pytest.raises(ValidationError):
        membership_remove(workspace=workspace, actor=owner, membership=membership_of(owner))


@pytest.mark.parametrize(
    "role", [Role.MANAGER, Role.SALES, Role.MARKETING, Role.SERVICE, Role.READONLY]
)
def test_only_owners_and_admins_open_the_members_page(client_for, role):
    assert client_for(role).get("/w/acme/settings/members/").status_code == 403


def test_member_of_another_workspace_cannot_be_changed(owner_client, other_workspace):
    stranger = MembershipFactory(workspace=other_workspace, role=Role.SALES)
    response = owner_client.post(role_url(stranger), {f"m{stranger.pk}-role": "owner"})
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.role == Role.SALES


def test_admin_sees_owners_without_role_or_remove_controls(client_for, owner):
    html = client_for(Role.ADMIN).get("/w/acme/settings/members/").content.decode()
    owner_row = html.split(f'data-member="{owner.email}"', 1)[1].split("</tr>", 1)[0]
    assert "<select" not in owner_row
    assert "/remove/" not in owner_row
