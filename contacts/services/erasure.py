"""Erasing a contact's personal data on request (GDPR art. 17, "right to be forgotten").

The contact row stays as a faceless placeholder (`erased_at` set) so the history, reports and
the warehouse keep their counts and joins; everything that identifies the person goes: names,
email addresses, phone numbers, the address, date of birth and birthday, job title, custom
fields, consent sources, the external id, tags, and the free text (subject, body, details) of
its touch points, whose kind, channel and time stay. Apps remove what they hold through
`workspaces.lifecycle.on_contact_erased` (marketing: segment and list memberships, delivery
addresses, hashed suppressions; journeys: active enrolments; service: case messages, attachments,
inbound mail, survey comments; call centre: call notes and numbers; sales: activity notes,
converted leads). The email addresses and phone numbers stay known only as keyed hashes
(`ErasedAddress`), so a contact created again with one of them gets no marketing email.
"""

import json

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from touchpoints.models import Interaction
from workspaces import lifecycle
from workspaces.audit import AuditAction, audit_record, audit_redact
from workspaces.changelog import (
    ChangeAction,
    change_record,
    change_record_rows,
    delete_recorded,
    update_recorded,
)
from workspaces.service_checks import same_workspace_require

from ..models import (
    Contact,
    ContactTag,
    ImportJob,
    ImportPossibleDuplicate,
    ImportRowError,
    ImportStatus,
    PrivacyRequestKind,
    Tag,
)
from .privacy import erased_addresses_record, privacy_request_complete_or_record

FINISHED_IMPORT_STATES = (ImportStatus.DONE, ImportStatus.FAILED)

# field -> the value it gets: everything personal about the person
ERASED_VALUES = {
    "salutation": "",
    "title": "",
    "first_name": "",
    "last_name": "",
    "email": "",
    "email2": "",
    "phone": "",
    "phone_extension": "",
    "mobile": "",
    "job_title": "",
    "street": "",
    "postal_code": "",
    "city": "",
    "region": "",
    "country": "",
    "account": None,
    "sex": "",
    "date_of_birth": None,
    "birthday_month": None,
    "birthday_day": None,
    "education": "",
    "preferred_channel": "",
    "language": "",
    "email_opt_in": False,
    "email_opt_in_at": None,
    "email_opt_in_source": "",
    "do_not_call": True,
    "do_not_mail": True,
    "custom": {},
    "external_id": "",
}


@transaction.atomic
def contact_erase(*, workspace, actor, contact: Contact) -> Contact:
    """Erase the personal data of `contact` (see the module's docstring) and return it with
    `erased_at` set. Transactional and idempotent (erasing again finds nothing left and sets
    no new time). The apps' `on_contact_erased` hooks run first, inside the transaction, while
    the contact still has its addresses (a hook that raises rolls the erasure back).

    Records: tombstones for the tag links, an `updated` event per touch point whose text was
    cleared, whatever the hooks record, and last an `updated` event on the contact naming the
    cleared fields with data {"erased": true} (the warehouse re-reads its row from it).
    Also: the keyed hashes of its email addresses and phone numbers (ErasedAddress), the
    contact's open erasure request completed (or one recorded, completed), and an audit entry
    ERASED without personal values ("Contact #<id>").
    Raises ValidationError for a contact of another workspace."""
    same_workspace_require(workspace=workspace, obj=contact, field="contact")
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    hooks = lifecycle.on_contact_erased.run(workspace=workspace, actor=actor, contact_id=contact.pk)
    erased_addresses_record(
        workspace=workspace,
        keys=[contact.email_key, contact.email2_key, contact.phone, contact.mobile],
    )
    pending: list = []
    links = ContactTag.objects.filter(workspace=workspace, contact=contact)
    tag_ids = list(links.values_list("tag_id", flat=True))
    delete_recorded(workspace=workspace, actor=actor, objs=links, pending=pending)
    # a tag nobody else carries names this person only (e.g. "met at Anna's wedding"): it goes
    orphans = Tag.objects.filter(workspace=workspace, pk__in=tag_ids).filter(
        contact_links__isnull=True, account_links__isnull=True
    )
    for tag_id in orphans.values_list("pk", flat=True):  # its name is in the audit log too
        audit_redact(workspace=workspace, object_type="contacts.tag", object_id=tag_id)
    delete_recorded(workspace=workspace, actor=actor, objs=orphans, pending=pending)
    _interactions_clear(workspace, actor, contact, pending)
    _import_traces_clear(workspace, contact)
    fields = _fields_clear(contact)
    change_record_rows(actor=actor, changes=pending)
    changed = bool(fields) or contact.erased_at is None
    # the register first, so the contact's own event stays the last of the erasure; erasing
    # again with nothing left to clear completes an open request but records no new one
    request = privacy_request_complete_or_record(
        workspace=workspace,
        actor=actor,
        contact=contact,
        kind=PrivacyRequestKind.ERASURE,
        record=changed,
    )
    if changed:
        if contact.erased_at is None:
            contact.erased_at = timezone.now()
            fields.append("erased_at")
        contact.save()
        change_record(
            workspace=workspace,
            actor=actor,
            instance=contact,
            action=ChangeAction.UPDATED,
            fields=fields,
            data={"erased": True},
        )
    audit_record(
        workspace=workspace,
        actor=actor,
        action=AuditAction.ERASED,
        instance=contact,
        object_repr=f"Contact #{contact.pk}",
        details={
            "fields": len(fields),
            "privacy_request": request.pk if request else None,
            "apps": {key: _counts(result) for key, result in hooks.items()},
        },
    )
    return contact


def _counts(result) -> dict | int | None:
    """A hook's result as counts only (never values) for the audit entry."""
    if isinstance(result, dict):
        return {k: v for k, v in result.items() if isinstance(v, int)}
    return result if isinstance(result, int) else None


def _interactions_clear(workspace, actor, contact: Contact, pending: list) -> None:
    """Clear subject, body and details of the contact's touch points that still have any."""
    with_text = Interaction.objects.filter(workspace=workspace, contact=contact).exclude(
        subject="", body="", data={}
    )
    ids = update_recorded(
        workspace=workspace,
        actor=actor,
        queryset=with_text,
        data={"erased": True},
        pending=pending,
        subject="",
        body="",
    )
    # `data` is also update_recorded's own argument (the event's details), so the field is
    # cleared here, on exactly the rows just recorded as updated
    Interaction.objects.filter(workspace=workspace, pk__in=ids).update(data={})


def _fields_clear(contact: Contact) -> list[str]:
    """Set every personal field to its erased value; the names of those that changed."""
    changed = []
    for name, value in ERASED_VALUES.items():
        attname = Contact._meta.get_field(name).attname
        current = getattr(contact, attname)
        if current != value:
            setattr(contact, name, value)
            changed.append(name)
    return sorted(changed)


ERASED_CELL = "[erased]"


def _import_traces_clear(workspace, contact: Contact) -> None:
    """What imports kept of the person: the upload's preview rows, the cells of rejected,
    noted and possibly-duplicate lines that hold one of the contact's email addresses or
    phone numbers (as stored) or both of its names, become "[erased]"; the source files of
    finished imports (needed only while an import runs) are deleted after the commit.
    Operational rows, not in the change log."""
    names = [n for n in (contact.first_name, contact.last_name) if n]
    needles = [v for v in (contact.email, contact.email2, contact.phone, contact.mobile) if v]
    if not needles and len(names) < 2:
        return

    def personal(cells) -> bool:
        text = json.dumps(cells, ensure_ascii=False).casefold()
        return any(n.casefold() in text for n in needles) or (
            len(names) == 2 and all(n.casefold() in text for n in names)
        )

    def scrub(cells):
        return [ERASED_CELL for _cell in cells] if isinstance(cells, list) else []

    for model in (ImportRowError, ImportPossibleDuplicate):
        condition = Q()
        for needle in [*needles, *names[-1:]]:
            condition |= Q(raw__icontains=needle)
        found = model.objects.filter(condition, workspace=workspace)
        for row in found.only("id", "raw").iterator():
            if personal(row.raw):
                model.objects.filter(pk=row.pk).update(raw=scrub(row.raw))
    files = []
    for job in ImportJob.objects.filter(workspace=workspace).only(
        "id", "preview", "file", "status"
    ):
        preview = job.preview or []
        cleaned = [
            [line, scrub(cells)] if personal(cells) else [line, cells]
            for line, cells in (
                entry for entry in preview if isinstance(entry, list | tuple) and len(entry) == 2
            )
        ]
        if cleaned != [list(e) for e in preview if isinstance(e, list | tuple) and len(e) == 2]:
            ImportJob.objects.filter(pk=job.pk).update(preview=cleaned)
        if job.file and job.status in FINISHED_IMPORT_STATES:
            files.append(job.file.name)
            ImportJob.objects.filter(pk=job.pk).update(file="")
    if files:
        storage = ImportJob._meta.get_field("file").storage

        def delete():
            for name in files:
                storage.delete(name)

        transaction.on_commit(delete)
