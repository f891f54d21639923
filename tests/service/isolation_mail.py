"""Isolation registrations of email to case: the raw download of an inbound message."""

from service.models import InboundMessage
from tests.isolation import register
from workspaces.scoping import workspace_scope


@register("service:inbound_raw")
def inbound_in(workspace, user):
    with workspace_scope(workspace):
        message = InboundMessage.objects.create(
            workspace=workspace, raw=b"From: a@b.example\n\nsecret", content_hash=f"h{workspace.pk}"
        )
    return {"pk": message.pk}, message
