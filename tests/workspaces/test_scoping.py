import pytest
from django import forms

from tests.factories import MembershipFactory
from workspaces.forms import WorkspaceModelForm
from workspaces.models import ChangeEvent, Membership
from workspaces.roles import Role, has_perm
from workspaces.scoping import ScopeError, scopes_disabled, workspace_scope


def test_query_without_a_scope_raises(workspace, owner):
    with pytest.raises(ScopeError):
        Membership.objects.count()
    with pytest.raises(ScopeError):
        Membership.objects.filter(role=Role.OWNER).exists()


def test_scope_limits_rows_to_its_workspace(workspace, other_workspace, owner):
    MembershipFactory(workspace=other_workspace)
    with workspace_scope(workspace):
        assert list(Membership.objects.values_list("workspace_id", flat=True)) == [workspace.pk]
    with workspace_scope(other_workspace):
        assert Membership.objects.get().workspace_id == other_workspace.pk


def test_scopes_disabled_is_the_explicit_escape_hatch(workspace, other_workspace, owner):
    MembershipFactory(workspace=other_workspace)
    with scopes_disabled():
        assert Membership.objects.count() == 2
    assert Membership.all_workspaces.count() == 2


class ChangeEventActorForm(WorkspaceModelForm):
    """A form with a choice over a workspace-owned model (membership)."""

    membership = forms.ModelChoiceField(queryset=Membership.all_workspaces.none())

    class Meta:
        model = ChangeEvent
        fields = ["model"]


def test_form_limits_choices_and_rejects_another_workspaces_object(
    workspace, other_workspace, owner, scope
):
    mine = Membership.all_workspaces.get(workspace=workspace)
    theirs = MembershipFactory(workspace=other_workspace)
    form = ChangeEventActorForm(data={"model": "x", "membership": theirs.pk}, workspace=workspace)
    assert list(form.fields["membership"].queryset) == [mine]
    assert not form.is_valid()
    assert "membership" in form.errors
    ok = ChangeEventActorForm(data={"model": "x", "membership": mine.pk}, workspace=workspace)
    assert ok.is_valid(), ok.errors


@pytest.mark.parametrize(
    ("role", "perm", "allowed"),
    [
        (Role.MARKETING, "sales.delete", False),
        (Role.READONLY, "contacts.edit", False),
        (Role.READONLY, "contacts.view", True),
        (Role.SALES, "sales.edit", True),
        (Role.OWNER, "members.manage", True),
        (Role.SALES, "members.manage", False),
        (Role.OWNER, "no.such.permission", False),
    ],
)
def test_role_permission_table(role, perm, allowed):
    assert has_perm(role, perm) is allowed


def test_non_member_gets_404_for_any_workspace_url(client_for, other_workspace):
    client = client_for(Role.OWNER)
    assert client.get(f"/w/{other_workspace.slug}/").status_code == 404
    assert client.get("/w/no-such-workspace/").status_code == 404
    assert client.get(f"/w/{other_workspace.slug}/search/?q=ab").status_code == 404


def test_member_sees_home_and_anonymous_is_sent_to_login(client, client_for, workspace):
    assert client_for(Role.SALES).get(f"/w/{workspace.slug}/").status_code == 200
    response = client.get(f"/w/{workspace.slug}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
