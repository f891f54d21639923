"""What the call centre holds about a contact, for the GDPR export, and what it removes when
the contact is erased (registered with workspaces.lifecycle from callcentre.registration).

Erased: the notes and phone numbers of the contact's calls and of their telephony events,
and the events' raw payloads (which carry numbers and recording references). Kept: each
call's direction, status, queue, agent, times and durations, so the KPIs stay right."""

from contacts.services.privacy import queryset_rows
from workspaces import lifecycle
from workspaces.changelog import update_recorded

from .models import Call, CallEvent


def contact_sections(*, workspace, contact_id: int) -> dict:
    """Sections "calls" and "call_events"."""
    return {
        "calls": queryset_rows(Call.objects.filter(workspace=workspace, contact_id=contact_id)),
        "call_events": queryset_rows(
            CallEvent.objects.filter(workspace=workspace, call__contact_id=contact_id)
        ),
    }


def contact_erased_callcentre(*, workspace, actor, contact_id: int) -> dict:
    """Clear the notes, numbers and payloads (see the module docstring), each change
    recorded. Runs inside the erasure's transaction. Returns {"calls": n, "events": n}."""
    calls = update_recorded(
        workspace=workspace,
        actor=actor,
        queryset=Call.objects.filter(workspace=workspace, contact_id=contact_id).exclude(
            notes="", caller_number="", called_number=""
        ),
        data={"erased": True},
        notes="",
        caller_number="",
        called_number="",
    )
    events = update_recorded(
        workspace=workspace,
        actor=actor,
        queryset=CallEvent.objects.filter(workspace=workspace, call__contact_id=contact_id).exclude(
            from_number="", to_number="", payload={}
        ),
        data={"erased": True},
        from_number="",
        to_number="",
        payload={},
    )
    return {"calls": len(calls), "events": len(events)}


def register() -> None:
    """Register the export sections and the erasure hook."""
    lifecycle.contact_data_sections.register("callcentre.calls", contact_sections)
    lifecycle.on_contact_erased.register("callcentre.calls", contact_erased_callcentre)
