import factory

from tests.factories import WorkspaceFactory, WorkspaceOwnedFactory
from workspaces.models import Invitation
from workspaces.roles import Role


class InvitationFactory(WorkspaceOwnedFactory):
    """A pending invitation row (no email is sent: use the service for that)."""

    class Meta:
        model = Invitation

    workspace = factory.SubFactory(WorkspaceFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.SALES
