"""Workspace URLs of the tenancy core that take an object id (see tests/isolation.py)."""

from tests.factories import MembershipFactory
from tests.isolation import register
from tests.workspaces.factories import InvitationFactory
from workspaces.roles import Role


@register("member_role", "member_remove")
def membership_in(workspace, user):
    membership = MembershipFactory(workspace=workspace, role=Role.SALES)
    return {"pk": membership.pk}, membership


@register("invitation_revoke")
def invitation_in(workspace, user):
    invitation = InvitationFactory(workspace=workspace, invited_by=user)
    return {"pk": invitation.pk}, invitation
