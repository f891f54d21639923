"""The handlers of the contact list's own bulk actions (assign owner, add tag, delete),
registered in contacts.registration as contacts.registry.BulkAction. Each has the handler
shape `(workspace, actor, ids, cleaned_data) -> message | BulkResult` and writes through
contacts.services.bulk (or, for a large delete, a background job)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _, ngettext

from workspaces.urlnames import workspace_reverse

from ..registry import BulkResult
from .bulk import contacts_bulk_add_tag, contacts_bulk_assign_owner, contacts_bulk_delete
from .bulk_jobs import BULK_DELETE_INLINE_MAX, bulk_delete_job_create


def bulk_assign_owner_handle(workspace, actor, ids, cleaned_data) -> str:
    """Set `cleaned_data["owner"]` (None: no owner) on the selected contacts."""
    n = contacts_bulk_assign_owner(
        workspace=workspace, actor=actor, contact_ids=ids, owner=cleaned_data.get("owner")
    )
    return ngettext("Owner set on %(n)d contact.", "Owner set on %(n)d contacts.", n) % {"n": n}


def bulk_add_tag_handle(workspace, actor, ids, cleaned_data) -> str:
    """Add the tag `cleaned_data["tag"]` to the selected contacts; ValidationError without one."""
    tag = (cleaned_data.get("tag") or "").strip()
    if not tag:
        raise ValidationError({"tag": _("Name the tag to add.")})
    n = contacts_bulk_add_tag(workspace=workspace, actor=actor, contact_ids=ids, tag=tag)
    return ngettext(
        "Tag “%(tag)s” added to %(n)d contact.", "Tag “%(tag)s” added to %(n)d contacts.", n
    ) % {"n": n, "tag": tag}


def bulk_delete_handle(workspace, actor, ids, cleaned_data) -> str | BulkResult:
    """Delete the selected contacts: at most BULK_DELETE_INLINE_MAX at once, more as a
    background job (a BulkResult leading to its progress page)."""
    if len(ids) > BULK_DELETE_INLINE_MAX:
        job = bulk_delete_job_create(workspace=workspace, actor=actor, contact_ids=ids)
        return BulkResult(
            message=ngettext(
                "%(n)d contact is being deleted in the background.",
                "%(n)d contacts are being deleted in the background.",
                job.total_rows,
            )
            % {"n": job.total_rows},
            url=workspace_reverse(workspace, "contacts:bulk_delete_detail", pk=job.pk),
        )
    n = contacts_bulk_delete(workspace=workspace, actor=actor, contact_ids=ids)
    return ngettext("%(n)d contact deleted.", "%(n)d contacts deleted.", n) % {"n": n}
