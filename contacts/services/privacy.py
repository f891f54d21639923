"""GDPR: export everything held about one contact (art. 15/20), the register of requests
(art. 12(3): answered within one calendar month), and the keyed hashes that keep an erased
address suppressed.

The export asks every app through `workspaces.lifecycle.contact_data_sections` (contacts
registers its own fields, tags and timeline; sales, service, marketing… theirs), so this
module imports no app above contacts. Rows stream from `.iterator()` into temporary files,
so memory stays bounded however long the history is.
"""

import csv
import datetime
import hashlib
import hmac
import json
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from workspaces import lifecycle
from workspaces.audit import AuditAction, audit_record
from workspaces.changelog import ChangeAction, change_record
from workspaces.scoping import scopes_disabled
from workspaces.service_checks import same_workspace_require

from ..emails import email_key
from ..models import (
    Contact,
    ContactTag,
    ErasedAddress,
    PrivacyRequest,
    PrivacyRequestKind,
    PrivacyRequestStatus,
    PrivacySettings,
)
from ..models.privacy import due_after
from ..selectors.exports import neutralize

CHUNK_SIZE = 2000
SKIPPED_FIELDS = {"workspace"}


# --- reading: what each app contributes ---------------------------------------------------


def queryset_rows(queryset: models.QuerySet, *, exclude: Iterable[str] = ()) -> Iterator[dict]:
    """The rows of `queryset` as dicts of their concrete columns ({attname: value}, without
    `workspace` and `exclude`), streamed in chunks of CHUNK_SIZE (bounded memory)."""
    skipped = SKIPPED_FIELDS | set(exclude)
    names = [f.attname for f in queryset.model._meta.concrete_fields if f.name not in skipped]
    return queryset.order_by("pk").values(*names).iterator(chunk_size=CHUNK_SIZE)


def contact_sections(*, workspace, contact_id: int) -> dict[str, Iterable[dict]]:
    """The contacts app's own sections: the contact's fields, its tags and its timeline."""
    from touchpoints.models import Interaction

    return {
        "contact": queryset_rows(Contact.objects.filter(workspace=workspace, pk=contact_id)),
        "tags": (
            {"tag": name}
            for name in ContactTag.objects.filter(workspace=workspace, contact_id=contact_id)
            .order_by("tag__name")
            .values_list("tag__name", flat=True)
        ),
        "timeline": queryset_rows(
            Interaction.objects.filter(workspace=workspace, contact_id=contact_id)
        ),
        "privacy_requests": queryset_rows(
            PrivacyRequest.objects.filter(workspace=workspace, contact_id=contact_id),
            exclude=("notes",),
        ),
    }


def contact_data_collect(*, workspace, contact: Contact) -> dict[str, Iterable[dict]]:
    """{section name: iterable of JSON-able dicts} from every registered app, in registration
    order. Raises ImproperlyConfigured when two apps name the same section."""
    sections: dict[str, Iterable[dict]] = {}
    results = lifecycle.contact_data_sections.run(workspace=workspace, contact_id=contact.pk)
    for key, result in results.items():
        for name, rows in (result or {}).items():
            if name in sections:
                raise ImproperlyConfigured(f"{key}: export section {name!r} is taken")
            sections[name] = rows
    return sections


# --- writing the archive --------------------------------------------------------------------


def _csv_cell(value) -> str:
    """One CSV cell: text as is, times in ISO 8601, JSON values as JSON; formulas neutralised."""
    if value is None or isinstance(value, str | int | float | Decimal):
        return neutralize(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return ""
    return neutralize(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _section_write(archive: zipfile.ZipFile, name: str, rows: Iterable[dict]) -> int:
    """Write `<name>.json` (a list of objects) and `<name>.csv` (a header of the first row's
    keys) into `archive`, one row at a time; returns the row count."""
    count = 0
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as as_json,
        tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as as_csv,
    ):
        writer = None
        as_json.write("[")
        for row in rows:
            if writer is None:
                writer = csv.writer(as_csv, quoting=csv.QUOTE_ALL)
                header = list(row)
                writer.writerow(header)
            as_json.write(",\n" if count else "\n")
            as_json.write(json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False))
            writer.writerow([_csv_cell(row.get(key)) for key in header])
            count += 1
        as_json.write("\n]\n")
        for handle, suffix in ((as_json, "json"), (as_csv, "csv")):
            handle.seek(0)
            with archive.open(f"{name}.{suffix}", "w", force_zip64=True) as out:
                while chunk := handle.read(1 << 16):
                    out.write(chunk.encode())
    return count


def _archive_write(out, *, workspace, contact: Contact) -> dict[str, int]:
    """Write the ZIP into `out`; returns {section: row count}."""
    counts: dict[str, int] = {}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        sections = contact_data_collect(workspace=workspace, contact=contact)
        for name, rows in sections.items():
            counts[name] = _section_write(archive, name, rows)
        archive.writestr(
            "index.json",
            json.dumps(
                {"contact_id": contact.pk, "exported_at": timezone.now().isoformat(), **counts},
                indent=2,
            ),
        )
    return counts


def contact_data_export(*, workspace, actor, contact: Contact, channel: str = "web"):
    """Write the ZIP of everything held about `contact` and return it as an open temporary
    file at position 0 (the caller streams and closes it). Per section `<name>.json` and
    `<name>.csv`, plus `index.json` ({section: row count}). Records an audit entry
    DATA_EXPORTED (no personal values: "Contact #<id>", counts in details) and completes the
    contact's open access request, or records a completed one. `channel`: "web" or "api".
    Raises ValidationError for a contact of another workspace."""
    same_workspace_require(workspace=workspace, obj=contact, field="contact")
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller's response, which closes it
    try:
        counts = _archive_write(out, workspace=workspace, contact=contact)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    with transaction.atomic():
        request = privacy_request_complete_or_record(
            workspace=workspace, actor=actor, contact=contact, kind=PrivacyRequestKind.ACCESS
        )
        audit_record(
            workspace=workspace,
            actor=actor,
            action=AuditAction.DATA_EXPORTED,
            instance=contact,
            object_repr=f"Contact #{contact.pk}",
            details={"sections": counts, "channel": channel, "privacy_request": request.pk},
        )
    return out


# --- the register of requests ---------------------------------------------------------------


@transaction.atomic
def privacy_request_create(
    *, workspace, actor, kind: str, contact: Contact | None = None, received_at=None, notes=""
) -> PrivacyRequest:
    """Record a request received at `received_at` (default now), due one calendar month
    later. Raises ValidationError for a contact of another workspace or an unknown kind."""
    if contact is not None:
        same_workspace_require(workspace=workspace, obj=contact, field="contact")
    received_at = received_at or timezone.now()
    row = PrivacyRequest(
        workspace=workspace,
        kind=kind,
        contact=contact,
        received_at=received_at,
        due_at=due_after(received_at),
        notes=notes,
        created_by=actor if isinstance(actor, get_user_model()) and actor.pk else None,
    )
    row.full_clean()
    row.save()
    change_record(
        workspace=workspace,
        actor=row.created_by,
        instance=row,
        action=ChangeAction.CREATED,
        fields=["kind", "contact", "received_at", "due_at", "notes"],
    )
    return row


@transaction.atomic
def privacy_request_complete(
    *, workspace, actor, request: PrivacyRequest, status: str = PrivacyRequestStatus.DONE
) -> PrivacyRequest:
    """Mark `request` completed (or refused) now; a request already closed keeps its time."""
    same_workspace_require(workspace=workspace, obj=request, field="request")
    if request.status == PrivacyRequestStatus.OPEN:
        request.status = status
        request.completed_at = timezone.now()
        request.save(update_fields=["status", "completed_at", "updated_at"])
        change_record(
            workspace=workspace,
            actor=actor if isinstance(actor, get_user_model()) and actor.pk else None,
            instance=request,
            action=ChangeAction.UPDATED,
            fields=["status", "completed_at"],
        )
    return request


def privacy_request_complete_or_record(
    *, workspace, actor, contact: Contact, kind: str, record: bool = True
) -> PrivacyRequest | None:
    """Complete the contact's oldest open request of `kind`; when there is none, record one
    received and completed now (every export and erasure shows in the register), unless
    `record` is False (then None)."""
    open_request = (
        PrivacyRequest.objects.filter(
            workspace=workspace, contact=contact, kind=kind, status=PrivacyRequestStatus.OPEN
        )
        .order_by("received_at", "id")
        .first()
    )
    if open_request is None:
        if not record:
            return None
        open_request = privacy_request_create(
            workspace=workspace, actor=actor, kind=kind, contact=contact
        )
    return privacy_request_complete(workspace=workspace, actor=actor, request=open_request)


# --- erased addresses -----------------------------------------------------------------------


def privacy_settings_get(*, workspace) -> PrivacySettings:
    """The workspace's PrivacySettings, made (with a new secret, rules off) on first use."""
    workspace_id = getattr(workspace, "pk", workspace)
    row = PrivacySettings.objects.filter(workspace_id=workspace_id).first()
    if row is None:
        row, _created = PrivacySettings.objects.get_or_create(workspace_id=workspace_id)
    return row


def address_digest(*, workspace, key: str) -> str:
    """HMAC-SHA256 (hex, 64 characters) of an address's comparison key (contacts.emails
    .email_key, or an E.164 phone number) with the workspace's address secret."""
    secret = bytes.fromhex(privacy_settings_get(workspace=workspace).address_secret)
    return hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()


def erased_addresses_record(*, workspace, keys: Iterable[str]) -> int:
    """Remember the digests of `keys` (empty ones skipped); returns how many were new."""
    digests = {address_digest(workspace=workspace, key=k) for k in keys if k}
    known = set(
        ErasedAddress.objects.filter(workspace=workspace, digest__in=digests).values_list(
            "digest", flat=True
        )
    )
    workspace_id = getattr(workspace, "pk", workspace)
    ErasedAddress.objects.bulk_create(
        [ErasedAddress(workspace_id=workspace_id, digest=d) for d in sorted(digests - known)],
        ignore_conflicts=True,
    )
    return len(digests - known)


def erased_keys(*, workspace, keys: Iterable[str]) -> set[str]:
    """The keys among `keys` that belonged to an erased contact (one query)."""
    by_digest = {address_digest(workspace=workspace, key=k): k for k in keys if k}
    if not by_digest:
        return set()
    found = ErasedAddress.objects.filter(workspace=workspace, digest__in=list(by_digest))
    return {by_digest[d] for d in found.values_list("digest", flat=True)}


BLOCKED = {
    "email_opt_in": False,
    "email_opt_in_at": None,
    "email_opt_in_source": "",
    "do_not_mail": True,
}


def erased_addresses_block(*, workspace, contacts: list) -> int:
    """Keep contacts whose email address belonged to an erased contact from marketing email:
    opt-in cleared and do-not-mail set on each of `contacts` (Contact instances or the
    import's row dicts, not saved here). Two queries for the whole list; returns how many were
    blocked."""

    def keys_of(target) -> list[str]:
        get = target.get if isinstance(target, dict) else lambda n, d="": getattr(target, n, d)
        return [email_key(get("email", "")), email_key(get("email2", ""))]

    def has_address(target) -> bool:
        get = target.get if isinstance(target, dict) else lambda n, d="": getattr(target, n, d)
        return bool(get("email", "") or get("email2", ""))

    # the keys are computed only when the workspace has erased addresses at all (an import
    # of a million rows would otherwise clean every address twice more for nothing)
    if not any(has_address(t) for t in contacts) or not (
        ErasedAddress.objects.filter(workspace_id=getattr(workspace, "pk", workspace)).exists()
    ):
        return 0
    wanted = {k for target in contacts for k in keys_of(target) if k}
    if not wanted:
        return 0
    erased = erased_keys(workspace=workspace, keys=wanted)
    blocked = 0
    for target in contacts:
        if erased.intersection(keys_of(target)):
            blocked += 1
            for name, value in BLOCKED.items():
                if isinstance(target, dict):
                    target[name] = value
                else:
                    setattr(target, name, value)
    return blocked


# --- the readable page ----------------------------------------------------------------------

PAGE_ROWS = 10_000  # rows per section on the page (the ZIP has them all)


def contact_data_page(*, workspace, actor, contact: Contact) -> list[dict]:
    """The sections for the readable page: [{"name", "columns", "rows" (lists of values,
    at most PAGE_ROWS), "count", "truncated"}]. Records an audit entry DATA_EXPORTED
    ("channel": "page", no personal values)."""
    same_workspace_require(workspace=workspace, obj=contact, field="contact")
    out = []
    for name, rows in contact_data_collect(workspace=workspace, contact=contact).items():
        columns: list[str] = []
        shown: list[list] = []
        count = 0
        for row in rows:
            if not columns:
                columns = list(row)
            if count < PAGE_ROWS:
                shown.append([row.get(c) for c in columns])
            count += 1
        out.append(
            {
                "name": name,
                "columns": columns,
                "rows": shown,
                "count": count,
                "truncated": count > len(shown),
            }
        )
    audit_record(
        workspace=workspace,
        actor=actor,
        action=AuditAction.DATA_EXPORTED,
        instance=contact,
        object_repr=f"Contact #{contact.pk}",
        details={"sections": {s["name"]: s["count"] for s in out}, "channel": "page"},
    )
    return out


# --- retention ------------------------------------------------------------------------------

RETENTION_ERASE_BATCH = 200  # contacts erased per workspace per run
RETENTION_TEXT_BATCH = 5000  # touch points whose text is deleted per workspace per run


@transaction.atomic
def retention_update(
    *, workspace, actor, erase_inactive_months: int | None, delete_texts_months: int | None
) -> PrivacySettings:
    """Save the workspace's retention rules (None: off; else 1-600 months). Raises
    ValidationError for a value out of range."""
    row = privacy_settings_get(workspace=workspace)
    row.erase_inactive_months = erase_inactive_months
    row.delete_texts_months = delete_texts_months
    row.full_clean()
    row.save(update_fields=["erase_inactive_months", "delete_texts_months", "updated_at"])
    change_record(
        workspace=workspace,
        actor=actor if isinstance(actor, get_user_model()) and actor.pk else None,
        instance=row,
        action=ChangeAction.UPDATED,
        fields=["erase_inactive_months", "delete_texts_months"],
    )
    return row


def retention_apply(*, workspace, now=None) -> dict:
    """Run the workspace's retention rules once, as the system (no actor), at most
    RETENTION_ERASE_BATCH erasures (oldest activity first, each through `contact_erase`:
    hooks, change log and audit run) and RETENTION_TEXT_BATCH touch point texts, plus what
    the apps' `retention_texts_delete` hooks clear. Idempotent: the next run continues.
    Returns {"erased": n, "texts": n, "apps": {key: result}}."""
    from touchpoints.models import Interaction
    from workspaces.changelog import update_recorded

    from ..models.privacy import months_later
    from .erasure import contact_erase

    now = now or timezone.now()
    rules = privacy_settings_get(workspace=workspace)
    result = {"erased": 0, "texts": 0, "apps": {}}
    if rules.erase_inactive_months:
        cutoff = months_later(now, -rules.erase_inactive_months)
        stale = (
            Contact.objects.filter(workspace=workspace, erased_at__isnull=True)
            .filter(
                models.Q(last_interaction_at__lt=cutoff)
                | models.Q(last_interaction_at__isnull=True, created_at__lt=cutoff)
            )
            .order_by("last_interaction_at", "id")[:RETENTION_ERASE_BATCH]
        )
        for contact in list(stale):
            contact_erase(workspace=workspace, actor=None, contact=contact)
            result["erased"] += 1
    if rules.delete_texts_months:
        cutoff = months_later(now, -rules.delete_texts_months)
        with transaction.atomic():
            ids = list(
                Interaction.objects.filter(workspace=workspace, occurred_at__lt=cutoff)
                .exclude(subject="", body="")
                .order_by("occurred_at", "id")
                .values_list("pk", flat=True)[:RETENTION_TEXT_BATCH]
            )
            done = update_recorded(
                workspace=workspace,
                actor=None,
                queryset=Interaction.objects.filter(workspace=workspace, pk__in=ids),
                data={"retention": True},
                subject="",
                body="",
            )
            result["texts"] = len(done)
            result["apps"] = lifecycle.retention_texts_delete.run(
                workspace=workspace, before=cutoff, limit=RETENTION_TEXT_BATCH
            )
    return result


def retention_workspace_ids() -> list[int]:
    """Ids of the workspaces with a retention rule on (beat fan-out; global by nature)."""
    with scopes_disabled():  # the database must let this global read through
        return list(
            PrivacySettings.all_workspaces.filter(
                models.Q(erase_inactive_months__isnull=False)
                | models.Q(delete_texts_months__isnull=False)
            ).values_list("workspace_id", flat=True)
        )
