"""Contacts (through the services, so the change log has them) and touch points to export."""

from contacts.services.contacts import contact_create
from touchpoints.models import Channel
from touchpoints.services import interaction_record
from workspaces.scoping import workspace_scope

PERSONAL = ("Anneliese", "Quastenberg", "anneliese.q@example.org")


def seed(workspace, actor, *, contacts: int, touches_each: int, start: int = 0):
    """(contacts, touch points) made in `workspace`."""
    made, touches = [], []
    with workspace_scope(workspace):
        for n in range(start, start + contacts):
            contact = contact_create(
                workspace=workspace,
                actor=actor,
                first_name=f"First{n}",
                last_name=f"Last{n}",
                email=f"person{n}@example.org",
                city="Hamburg",
            )
            made.append(contact)
            for _ in range(touches_each):
                touches.append(
                    interaction_record(
                        workspace=workspace,
                        kind="note.added",
                        channel=Channel.NOTE,
                        contact=contact,
                        subject="A note",
                    )
                )
    return made, touches
