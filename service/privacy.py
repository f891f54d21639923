"""What service holds about a contact, for the GDPR export, and what it removes when the
contact is erased (registered with workspaces.lifecycle from service.registration).

Erased: the text of every message of the contact's cases (subject, bodies, addresses), their
attachments (files and rows), the raw inbound mail of those cases, the cases' subjects and
references, and the survey comments and addresses. Kept: the cases, messages and surveys as
facts (kind, status, times, scores), so service reports stay right."""

from django.db.models import Q

from contacts.services.privacy import queryset_rows
from workspaces import lifecycle
from workspaces.audit import audit_redact
from workspaces.changelog import delete_recorded, update_recorded

from .models import Case, CaseAttachment, CaseMessage, CsatSurvey, InboundMessage


def contact_sections(*, workspace, contact_id: int) -> dict:
    """Sections "cases", "case_messages", "case_attachments" (metadata), "inbound_mail"
    (metadata, not the raw message) and "surveys"."""
    of_cases = Q(case__contact_id=contact_id)
    return {
        "cases": queryset_rows(Case.objects.filter(workspace=workspace, contact_id=contact_id)),
        "case_messages": queryset_rows(CaseMessage.objects.filter(of_cases, workspace=workspace)),
        "case_attachments": queryset_rows(
            CaseAttachment.objects.filter(workspace=workspace, message__case__contact_id=contact_id)
        ),
        "inbound_mail": queryset_rows(
            InboundMessage.objects.filter(of_cases, workspace=workspace), exclude=("raw",)
        ),
        "surveys": queryset_rows(
            CsatSurvey.objects.filter(workspace=workspace, contact_id=contact_id)
        ),
    }


def contact_erased_service(*, workspace, actor, contact_id: int) -> dict:
    """Clear the re-identifying text of the contact's cases (see the module docstring), each
    change recorded. Runs inside the erasure's transaction; stored attachment files are
    deleted after it commits. Returns counts {"messages", "attachments", "inbound", "cases",
    "surveys"}."""
    messages = update_recorded(
        workspace=workspace,
        actor=actor,
        queryset=CaseMessage.objects.filter(
            workspace=workspace, case__contact_id=contact_id
        ).exclude(
            subject="",
            body_text="",
            body_html="",
            from_address="",
            to_addresses="",
            cc_addresses="",
            delivery_error="",
        ),
        data={"erased": True},
        subject="",
        body_text="",
        body_html="",
        from_address="",
        to_addresses="",
        cc_addresses="",
        delivery_error="",
    )
    attachments = CaseAttachment.objects.filter(
        workspace=workspace, message__case__contact_id=contact_id
    )
    files = [a.file for a in attachments if a.file]
    removed = delete_recorded(workspace=workspace, actor=actor, objs=attachments)
    _files_delete_on_commit(files)
    inbound = update_recorded(
        workspace=workspace,
        actor=actor,
        queryset=InboundMessage.objects.filter(
            workspace=workspace, case__contact_id=contact_id
        ).exclude(raw=b"", error=""),
        data={"erased": True},
        raw=b"",
        error="",
    )
    cases = update_recorded(
        workspace=workspace,
        actor=actor,
        queryset=Case.objects.filter(workspace=workspace, contact_id=contact_id).exclude(
            subject="", product_ref="", order_ref=""
        ),
        data={"erased": True},
        subject="",
        product_ref="",
        order_ref="",
    )
    surveys = update_recorded(
        workspace=workspace,
        actor=actor,
        queryset=CsatSurvey.objects.filter(workspace=workspace, contact_id=contact_id).exclude(
            email="", comment=""
        ),
        data={"erased": True},
        email="",
        comment="",
    )
    # the audit log's entries about those cases and messages held their texts too
    for label, model in (("service.case", Case), ("service.casemessage", CaseMessage)):
        for object_id in (
            model.objects.filter(workspace=workspace)
            .filter(
                **(
                    {"contact_id": contact_id}
                    if model is Case
                    else {"case__contact_id": contact_id}
                )
            )
            .values_list("pk", flat=True)
        ):
            audit_redact(workspace=workspace, object_type=label, object_id=object_id)
    return {
        "messages": len(messages),
        "attachments": removed,
        "inbound": len(inbound),
        "cases": len(cases),
        "surveys": len(surveys),
    }


def _files_delete_on_commit(files) -> None:
    from django.db import transaction

    def delete():
        for field_file in files:
            field_file.storage.delete(field_file.name)

    if files:
        transaction.on_commit(delete)


def retention_texts_service(*, workspace, before, limit: int) -> int:
    """The retention rule: clear subject and bodies of up to `limit` case messages written
    before `before` (recorded); returns the count."""
    ids = list(
        CaseMessage.objects.filter(workspace=workspace, created_at__lt=before)
        .exclude(subject="", body_text="", body_html="")
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    done = update_recorded(
        workspace=workspace,
        actor=None,
        queryset=CaseMessage.objects.filter(workspace=workspace, pk__in=ids),
        data={"retention": True},
        subject="",
        body_text="",
        body_html="",
    )
    return len(done)


def register() -> None:
    """Register the export sections and the erasure hook."""
    lifecycle.contact_data_sections.register("service.cases", contact_sections)
    lifecycle.on_contact_erased.register("service.cases", contact_erased_service)
    lifecycle.retention_texts_delete.register("service.case_messages", retention_texts_service)
