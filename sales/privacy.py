"""What sales holds about a contact, for the GDPR export, and what it removes when the
contact is erased (registered with workspaces.lifecycle from sales.registration).

Erased: the notes and outcomes of the contact's own activities (the subject stays: it names
the task, e.g. "Follow-up call"), the personal fields and message of the leads converted into
the contact. Kept: deals (they are the company's business: name, amount, stage, times) and
the activities as facts (type, due date, done), so pipeline reports stay right."""

from contacts.services.privacy import queryset_rows
from workspaces import lifecycle
from workspaces.changelog import update_recorded

from .models import Activity, Deal, DealStageChange, Lead


def contact_sections(*, workspace, contact_id: int) -> dict:
    """Sections "deals", "deal_stage_changes", "activities" and "leads"."""
    return {
        "deals": queryset_rows(Deal.objects.filter(workspace=workspace, contact_id=contact_id)),
        "deal_stage_changes": queryset_rows(
            DealStageChange.objects.filter(workspace=workspace, deal__contact_id=contact_id)
        ),
        "activities": queryset_rows(
            Activity.objects.filter(workspace=workspace, contact_id=contact_id)
        ),
        "leads": queryset_rows(
            Lead.objects.filter(workspace=workspace, converted_contact_id=contact_id)
        ),
    }


def contact_erased_sales(*, workspace, actor, contact_id: int) -> dict:
    """Clear activity notes and outcomes and converted leads' personal fields (see the module
    docstring), each change recorded. Returns {"activities": n, "leads": n}."""
    activities = update_recorded(
        workspace=workspace,
        actor=actor,
        queryset=Activity.objects.filter(workspace=workspace, contact_id=contact_id).exclude(
            notes="", outcome=""
        ),
        data={"erased": True},
        notes="",
        outcome="",
    )
    leads = update_recorded(
        workspace=workspace,
        actor=actor,
        queryset=Lead.objects.filter(workspace=workspace, converted_contact_id=contact_id).exclude(
            first_name="",
            last_name="",
            job_title="",
            email="",
            phone="",
            phone_extension="",
            message="",
            budget="",
            authority="",
            need="",
            timeline="",
            pending_touchpoints=[],
        ),
        data={"erased": True},
        first_name="",
        last_name="",
        job_title="",
        email="",
        phone="",
        phone_extension="",
        message="",
        budget="",
        authority="",
        need="",
        timeline="",
        pending_touchpoints=[],
    )
    return {"activities": len(activities), "leads": len(leads)}


def register() -> None:
    """Register the export sections and the erasure hook."""
    lifecycle.contact_data_sections.register("sales.records", contact_sections)
    lifecycle.on_contact_erased.register("sales.records", contact_erased_sales)
