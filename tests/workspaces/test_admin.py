"""The Django admin: workspace admins see their own workspace only; staff see all."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import login
from tests.factories import MembershipFactory, UserFactory
from workspaces.models import Membership
from workspaces.roles import Role

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/workspaces/membership/"


@pytest.fixture
def other_member(other_workspace):
    return MembershipFactory(workspace=other_workspace, role=Role.SALES).user


def test_workspace_admin_sees_only_own_workspace_memberships(client_for, other_member):
    client = client_for(Role.ADMIN)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    shown = {m.pk for m in response.context["cl"].result_list}
    assert shown == set(
        Membership.all_workspaces.filter(workspace__slug="acme").values_list("pk", flat=True)
    )
    assert other_member.email not in response.content.decode()


def test_workspace_admin_gets_404_for_another_workspaces_row(client_for, other_member):
    client = client_for(Role.OWNER)
    row = Membership.all_workspaces.get(user=other_member)
    response = client.get(f"{CHANGELIST}{row.pk}/change/")
    assert response.status_code in (302, 404)
    assert response.status_code == 404 or "/admin/" in response["Location"]


def test_workspace_admin_sees_only_own_workspace_in_workspace_list(client_for, other_workspace):
    client = client_for(Role.ADMIN)
    response = client.get("/admin/workspaces/workspace/")
    assert [ws.slug for ws in response.context["cl"].result_list] == ["acme"]


def test_workspace_admin_cannot_edit_the_workspace_row(client_for, workspace):
    client = client_for(Role.ADMIN)
    response = client.post(
        f"/admin/workspaces/workspace/{workspace.pk}/change/",
        {"name": "Hacked", "slug": "acme", "time_zone": "UTC", "currency": "EUR"},
    )
    assert response.status_code == 403
    workspace.refresh_from_db()
    assert workspace.name == "Acme"


def test_sales_rep_cannot_enter_admin(client_for):
    client = client_for(Role.SALES)
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert follow.status_code == 403


def test_anonymous_is_sent_to_the_login_page(client):
    first = client.get("/admin/")
    second = client.get(first["Location"])
    assert second["Location"].startswith("/accounts/login/?next=/admin/")


def test_superuser_sees_memberships_of_all_workspaces(workspace, other_member, owner):
    staff = get_user_model().objects.create_superuser(email="staff@example.com", password="x")
    client = login_as(staff, "x")
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == Membership.all_workspaces.count() == 2


def test_workspace_admin_in_two_workspaces_switches_the_admin_workspace(workspace, other_workspace):
    user = UserFactory()
    MembershipFactory(user=user, workspace=workspace, role=Role.ADMIN)
    MembershipFactory(user=user, workspace=other_workspace, role=Role.OWNER)
    client = login(user)
    client.post("/admin/workspace/", {"workspace": other_workspace.pk})
    response = client.get("/admin/workspaces/workspace/")
    assert [ws.slug for ws in response.context["cl"].result_list] == ["globex"]


def test_admin_role_change_is_recorded_in_the_change_log(client_for, member_factory):
    client = client_for(Role.OWNER)
    rep = member_factory(Role.SALES)
    row = Membership.all_workspaces.get(user=rep)
    response = client.post(f"{CHANGELIST}{row.pk}/change/", {"role": Role.MARKETING})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.role == Role.MARKETING
    from workspaces.models import ChangeEvent

    event = ChangeEvent.all_workspaces.filter(
        model="workspaces.membership", object_id=row.pk
    ).last()
    assert event.action == "updated" and event.fields == ["role"]


def login_as(user, password):
    from django.test import Client

    client = Client()
    assert client.login(email=user.email, password=password)
    return client


def test_admin_form_keeps_the_last_owner(client_for, owner):
    client = client_for(Role.ADMIN)
    row = Membership.all_workspaces.get(user=owner)
    response = client.post(f"{CHANGELIST}{row.pk}/change/", {"role": Role.SALES})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["role"]
    row.refresh_from_db()
    assert row.role == Role.OWNER


def test_admin_cannot_delete_the_last_owner(owner):
    client = login(owner)
    row = Membership.all_workspaces.get(user=owner)
    response = client.post(f"{CHANGELIST}{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Membership.all_workspaces.filter(pk=row.pk).exists()


def test_admin_deletes_a_member_through_the_service(owner_client, member_factory):
    from workspaces.models import ChangeEvent

    row = Membership.all_workspaces.get(user=member_factory(Role.SALES))
    response = owner_client.post(f"{CHANGELIST}{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.all_workspaces.filter(pk=row.pk).exists()
    event = ChangeEvent.all_workspaces.filter(model="workspaces.membership").last()
    assert (event.object_id, event.action) == (row.pk, "deleted")


def test_admin_index_looks_up_the_admins_workspaces_once(client_for):
    client = client_for(Role.ADMIN)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/")
    assert response.status_code == 200
    membership_lookups = [
        q["sql"] for q in queries.captured_queries if "workspaces_membership" in q["sql"]
    ]
    assert len(membership_lookups) == 1
