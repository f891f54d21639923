"""The audit log (issue 26): `audit_record` appends one `AuditEntry`.

Call it in the service that does the thing, inside its transaction, after the writes: an
entry exists exactly when the action happened. Bulk actions (imports, exports, bulk views,
bulk edits) write one entry with counts in `details`, never one per row.

Most entries are written for you: the change log (`workspaces.changelog`) calls
`audit_from_change` whenever a person (an authenticated user, on the web or through an API
key) creates, changes, deletes or merges a record, with the old → new value of every
changed field when the service took a `snapshot()` before changing it. What the change log
does not see is recorded here by the caller: exports (`AuditAction.EXPORTED`), imports (one
`IMPORTED` entry per import, the per-batch change events kept quiet with `audit_quiet`) and
bulk views (`audit_bulk_view`, at most one entry per user, list and filter an hour).

The log is append-only (`AuditEntry.save`/`delete` refuse; on PostgreSQL a trigger refuses
UPDATE and DELETE). Two narrow paths change it: `audit_redact` (GDPR erasure) and
`audit_workspace_delete_allow` (the workspace deletion service).
"""

import contextlib
import contextvars
import datetime
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator

from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, models, transaction
from django.db.models import Q

from .models import AuditAction, AuditEntry
from .scoping import workspace_scope_unless_scoped

__all__ = [
    "AuditAction",
    "audit_bulk_view",
    "audit_from_change",
    "audit_quiet",
    "audit_record",
    "audit_redact",
    "audit_workspace_delete_allow",
]

IDS_KEPT = 100  # record ids named in one bulk entry; the count is always exact
BULK_VIEW_THRESHOLD = 20  # rows of personal data on one list response that make a bulk view
BULK_VIEW_DEDUP_SECONDS = 3600  # one bulk-view entry per user, list and filter an hour
HIDDEN = "***"  # the value recorded for secrets (keys, hashes, passwords, tokens)
REDACTED = "[erased]"
_SECRET_PARTS = ("secret", "password", "hash", "token", "totp", "recovery")
_NOT_AUDITED_FIELDS = {"id", "workspace", "workspace_id", "created_at", "updated_at", "version"}
# Jobs record their own entry when they end (an import: IMPORTED with its counts; an export:
# EXPORTED); their rows' own changes are machinery (states, counters, the uploaded file's
# preview, which holds other people's data) and are not logged field by field.
_NOT_AUDITED_MODELS = {"contacts.importjob", "contacts.exportjob", "contacts.bulkdeletejob"}

# Transaction-local PostgreSQL setting the append-only trigger reads (migration 0013).
ALLOW_SETTING = "crm.audit_allow"

_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_quiet", default=False)

# filter parameters that carry what a person typed (a name, an address, a phone number): the
# log keeps that a search was made, never its words, which would outlive an erasure
SEARCH_TEXT_PARAMETERS = frozenset({"q", "search", "text", "email", "phone", "name", "term"})
SEARCH_TEXT_WITHHELD = "[search text]"


def filter_without_search_text(params: dict) -> dict:
    """`params` (a list or export filter, {name: value or [values]}) with the values of the
    free-text parameters (`SEARCH_TEXT_PARAMETERS`) replaced by `SEARCH_TEXT_WITHHELD`."""
    return {
        key: (SEARCH_TEXT_WITHHELD if key in SEARCH_TEXT_PARAMETERS and value else value)
        for key, value in params.items()
    }


def audit_record(
    *,
    workspace,
    actor,
    action: str,
    instance: models.Model | None = None,
    object_type: str = "",
    object_id: int | None = None,
    object_repr: str = "",
    changes: dict | None = None,
    details: dict | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Append one audit entry and return it.

    `workspace`: a Workspace or its id. `actor`: a user, or None for the system (tasks,
    schedules). `action`: an `AuditAction` value. The record is `instance` (its model label,
    pk and str, cut to 200 characters) or the explicit `object_type`/`object_id`/`object_repr`.
    `changes`: {"field": [old, new]} with JSON-able values. Raises ValueError for an unknown
    action."""
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_id = instance.pk if object_id is None else object_id
        object_repr = object_repr or label_of(instance)
    user = actor if getattr(actor, "is_authenticated", False) else None
    workspace_id = getattr(workspace, "pk", workspace)
    if details and isinstance(details.get("filter"), dict):
        details = {**details, "filter": filter_without_search_text(details["filter"])}
    with workspace_scope_unless_scoped(workspace_id):
        return AuditEntry.all_workspaces.create(
            workspace_id=workspace_id,
            actor=user,
            actor_label=getattr(user, "email", "") if user else "",
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=(object_repr or "")[:200],
            changes=changes or {},
            details=details or {},
            ip_address=ip_address,
        )


def label_of(instance) -> str:
    """str(instance); a record whose __str__ cannot be built (a missing related row) is
    named by its number rather than failing the action being recorded."""
    try:
        return str(instance)
    except (AttributeError, TypeError, ValueError, ObjectDoesNotExist):
        return f"#{instance.pk}"


# --- written by the change log -------------------------------------------------------------


@contextlib.contextmanager
def audit_quiet() -> Iterator[None]:
    """Inside this block the change log writes no audit entries: for work that records one
    entry of its own at the end (an import: one `IMPORTED` entry, not one per batch)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def is_person(actor) -> bool:
    """Whether `actor` is a signed-in user (the web, or the API acting as the key's creator);
    None and anonymous users are the system."""
    return bool(getattr(actor, "is_authenticated", False))


def _auditing(actor) -> bool:
    return is_person(actor) and not _quiet.get()


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return any(part in lowered for part in _SECRET_PARTS)


VALUE_CHARS_MAX = 1000  # a longer text (an email body, a note) is cut, with "…"


def jsonable(value):
    """A field value as JSON: dates and times ISO 8601, decimals and UUIDs as strings, files
    as their name, anything else unknown as its str; texts cut to VALUE_CHARS_MAX."""
    if isinstance(value, str):
        return value if len(value) <= VALUE_CHARS_MAX else value[:VALUE_CHARS_MAX] + "…"
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if hasattr(value, "name") and not isinstance(value, models.Model):  # a FieldFile
        return value.name or ""
    return str(value)


def _attname(model, name: str) -> str | None:
    try:
        field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a name the service made up (e.g. "tags"): no column
        return None
    return getattr(field, "attname", None) if getattr(field, "concrete", False) else None


def field_changes(instance: models.Model, fields: Iterable[str], before: dict | None) -> dict:
    """{field: [old, new]} for `fields` of `instance` (names as the change log gives them).
    `old` is None where `before` (a `snapshot()`) is missing; secrets are `HIDDEN`. Fields
    without a column (tags, custom values) are listed with [None, None]."""
    out = {}
    for name in fields:
        if name in _NOT_AUDITED_FIELDS:
            continue
        attname = _attname(type(instance), name)
        if _is_secret(name):
            out[name] = [HIDDEN, HIDDEN]
        elif attname is None:
            out[name] = [None, None]
        else:
            old = before.get(attname) if before is not None else None
            out[name] = [jsonable(old), jsonable(getattr(instance, attname, None))]
    return out


def _created_values(instance: models.Model) -> dict:
    """{field: [None, value]} of the non-empty fields of a new record."""
    out = {}
    for field in instance._meta.concrete_fields:
        if field.name in _NOT_AUDITED_FIELDS or field.primary_key:
            continue
        value = getattr(instance, field.attname, None)
        if value in (None, "", [], {}):
            continue
        out[field.name] = [None, HIDDEN if _is_secret(field.name) else jsonable(value)]
    return out


_ACTIONS = {
    "created": AuditAction.CREATED,
    "updated": AuditAction.CHANGED,
    "deleted": AuditAction.DELETED,
    "merged": AuditAction.MERGED,
}


def audit_from_change(
    *, workspace, actor, instance, action: str, fields, data, before: dict | None
) -> AuditEntry | None:
    """The entry for one `change_record` call: written only when `actor` is a person and not
    inside `audit_quiet`. `before` is the service's `snapshot()` taken before the change
    (passed, or the one `snapshot()` left on the instance); without it `details` says
    `"old_values": false` and only new values are recorded. An update that changed nothing
    writes nothing. Returns the entry or None."""
    if (
        not _auditing(actor)
        or action not in _ACTIONS
        or instance._meta.label_lower in _NOT_AUDITED_MODELS
    ):
        return None
    details = {}
    if action == "created":
        changes = _created_values(instance)
    elif action == "deleted":
        changes = {}
    else:
        changes = field_changes(instance, fields, before)
        if action == "updated" and not changes:
            return None
        if before is None and changes:
            details["old_values"] = False
    if data and data.get("erased"):  # an erasure: the values were personal, not kept
        changes = {name: [REDACTED, REDACTED] for name in changes}
    if data:
        details["data"] = _details_data(data)
    return audit_record(
        workspace=workspace,
        actor=actor,
        action=_ACTIONS[action],
        instance=instance,
        changes=changes,
        details=details,
    )


def _details_data(data: dict) -> dict:
    return {k: (HIDDEN if _is_secret(k) else jsonable(v)) for k, v in data.items()}


def audit_from_bulk(
    *,
    workspace,
    actor,
    model,
    object_ids: list,
    action: str,
    fields=(),
    values: dict | None = None,
    details: dict | None = None,
    object_repr: str = "",
) -> AuditEntry | None:
    """One entry for a bulk write of one model (`change_record_many`, `update_recorded`,
    `delete_recorded`): the count and the first `IDS_KEPT` ids in `details`, the new values
    of a bulk edit in `changes` when `values` are given (old values are not read back:
    `"old_values": false`), else the changed field names in `details["fields"]`.
    Written only for a person outside `audit_quiet` and when rows were touched. A single
    deleted record keeps its `object_repr` (taken before the delete)."""
    if (
        not _auditing(actor)
        or action not in _ACTIONS
        or not object_ids
        or model._meta.label_lower in _NOT_AUDITED_MODELS
    ):
        return None
    ids = sorted(object_ids)
    names = [name for name in fields if name not in _NOT_AUDITED_FIELDS]
    changes = {}
    if values is not None:  # a bulk edit: the values it set
        for name in names:
            changes[name] = [None, HIDDEN if _is_secret(name) else jsonable(values.get(name))]
    info = {"count": len(ids), "ids": ids[:IDS_KEPT], **(details or {})}
    if names and values is None:  # the fields are named, their values not known here
        info["fields"] = sorted(names)
    if len(ids) == 1:
        info = {k: v for k, v in info.items() if k not in ("count", "ids")}
    if changes:
        info["old_values"] = False
    return audit_record(
        workspace=workspace,
        actor=actor,
        action=_ACTIONS[action],
        object_type=model._meta.label_lower,
        object_id=ids[0] if len(ids) == 1 else None,
        object_repr=object_repr
        or ("" if len(ids) == 1 else f"{len(ids)} × {model._meta.verbose_name}"),
        changes=changes,
        details=info,
    )


# --- bulk views ---------------------------------------------------------------------------


def request_address(request) -> str | None:
    """The client's IP address for an entry (`client_address.client_ip`), None if unknown."""
    from .client_address import UNKNOWN, client_ip

    ip = client_ip(request)
    return None if ip == UNKNOWN else ip


def audit_bulk_view(
    *, workspace, actor, list_name: str, params: dict, rows: int, ip_address: str | None = None
) -> AuditEntry | None:
    """Record that a person saw a list of personal data in bulk: a response of at least
    `BULK_VIEW_THRESHOLD` rows. At most one entry per workspace, user, list and filter
    (`params` without the page cursor) an hour: the first page writes, paging on and
    reloading do not (one cache `add` per qualifying response, no database write).

    `list_name`: e.g. "contacts.contact" or "api:contacts"; `params`: the query string as
    {name: [values]}. Returns the entry, or None when below the threshold or already
    recorded this hour."""
    if rows < BULK_VIEW_THRESHOLD or not is_person(actor):
        return None
    filters = {
        k: sorted(v) if isinstance(v, list) else [v]
        for k, v in params.items()
        if k not in ("cursor", "page", "format")
    }
    digest = hashlib.sha256(
        json.dumps(
            [getattr(workspace, "pk", workspace), actor.pk, list_name, filters], sort_keys=True
        ).encode()
    ).hexdigest()[:32]
    if not cache.add(f"audit:bulkview:{digest}", 1, BULK_VIEW_DEDUP_SECONDS):
        return None
    return audit_record(
        workspace=workspace,
        actor=actor,
        action=AuditAction.VIEWED_BULK,
        object_type=list_name,
        details={"rows": rows, "filter": filters},
        ip_address=ip_address,
    )


# --- the two paths that change the log ----------------------------------------------------


def _allow(value: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [ALLOW_SETTING, value])


def _disallow() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, '', true)", [ALLOW_SETTING])


@contextlib.contextmanager
def audit_workspace_delete_allow(workspace) -> Iterator[None]:
    """Inside this block (which must be inside a transaction) the database lets the audit
    entries of `workspace` (and of no other workspace) be deleted: for the workspace
    deletion service, whose cascade takes them along. Raises TransactionManagementError
    outside a transaction."""
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("audit deletion needs a transaction")
    _allow(f"delete:{getattr(workspace, 'pk', workspace)}")
    yield  # on an exception the transaction rolls back, and the local setting with it
    _disallow()


def _fields_pointing_at(object_type: str) -> list[tuple[str, str]]:
    """(model label, field name) of every foreign key to the model `object_type`."""
    try:
        target = apps.get_model(object_type)
    except (LookupError, ValueError):
        return []
    return [
        (model._meta.label_lower, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is target
    ]


@transaction.atomic
def audit_redact(*, workspace, object_type: str, object_id: int) -> int:
    """Blank the personal values in the audit entries about one record (GDPR erasure): the
    old and new values in `changes` (the field names stay), `object_repr` and the `data` of
    `details` become "[erased]". Also blanked: the entries of records whose recorded changes
    name this record in a foreign key (a note or touch point of the erased contact: its text
    is personal data too). Entries of other records and other workspaces are untouched.
    `object_type`: a model label ("contacts.contact"). Returns how many entries were
    redacted. The only update the log allows (the trigger checks that nothing else
    changes)."""
    workspace_id = getattr(workspace, "pk", workspace)
    about = Q(object_type=object_type, object_id=object_id)
    for label, name in _fields_pointing_at(object_type):
        about |= Q(object_type=label) & (
            Q(**{f"changes__{name}__0": object_id}) | Q(**{f"changes__{name}__1": object_id})
        )
    entries = list(
        AuditEntry.all_workspaces.filter(about, workspace_id=workspace_id).only(
            "pk", "changes", "details"
        )
    )
    if not entries:
        return 0
    _allow(f"redact:{workspace_id}")  # an exception rolls it back with the transaction
    for entry in entries:
        changes = {name: [REDACTED, REDACTED] for name in entry.changes or {}}
        details = dict(entry.details or {})
        if "data" in details:
            details["data"] = REDACTED
        details["redacted"] = True
        AuditEntry.all_workspaces.filter(pk=entry.pk)._redact_update(
            changes=changes, details=details, object_repr=REDACTED
        )
    _disallow()
    return len(entries)


def audit_redact_contact(*, workspace, actor, contact_id: int) -> None:
    """The `on_contact_erased` hook: an erased contact leaves no personal value in the log,
    nor in the Django admin's history of changes to it (its `object_repr` names the person)."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    audit_redact(workspace=workspace, object_type="contacts.contact", object_id=contact_id)
    contact_type = ContentType.objects.get_by_natural_key("contacts", "contact")
    LogEntry.objects.filter(content_type=contact_type, object_id=str(contact_id)).update(
        object_repr="[erased]", change_message=""
    )
