"""The batched import (DESIGN.md §11): stream the stored file, validate rows, dedupe against
indexed keys with one set lookup per key per batch, write with bulk_create/bulk_update,
append change events with change_record_many, and move the job's counters per batch. A
batch's change events are appended last, after its counters: the change sequence is the
last lock the batch takes (writers of the workspace wait for it until the batch commits).

Each batch is one transaction together with its counters, so a crash loses at most the
batch in flight and a re-run resumes after `processed_rows`. Rejected rows are stored as
ImportRowError with their line number; they never hold back the valid rows.
"""

import datetime
import json
import logging
from dataclasses import dataclass, field
from functools import partial
from itertools import batched, islice

from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from workspaces.changelog import ChangeAction, change_record_many, change_record_rows

from ..models import (
    Account,
    Contact,
    CustomFieldEntity,
    DedupeMode,
    ImportJob,
    ImportRowError,
    ImportStatus,
)
from .mapping import RowCleaner
from .reading import iter_rows

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
# A job "running" for longer than this without finishing was abandoned (worker lost) and may
# be resumed; the task's hard time limit is below it.
STALE_AFTER = datetime.timedelta(hours=2)
RAW_CELLS_KEPT = 60


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0

    def add(self, other: "Counts"):
        for name in ("created", "updated", "skipped", "rejected"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class RunContext:
    job: ImportJob
    cleaner: RowCleaner
    actor: object
    account_ids: dict[str, int] = field(default_factory=dict)  # lower(name) -> id
    pending: list = field(default_factory=list)  # the batch's change events, appended last


def _claim(job_id: int) -> ImportJob | None:
    """Move the job to running (queued -> running, or resume an abandoned run). None when
    there is nothing to do: done, failed, not queued, or running elsewhere."""
    now = timezone.now()
    jobs = ImportJob.objects.filter(pk=job_id)
    claimed = jobs.filter(status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=now
    )
    if not claimed:
        claimed = jobs.filter(status=ImportStatus.RUNNING, started_at__lt=now - STALE_AFTER).update(
            started_at=now
        )
    return jobs.select_related("workspace", "created_by").get() if claimed else None


def import_run(*, job_id: int, batch_size: int = BATCH_SIZE) -> ImportJob:
    """Run (or resume) the import of job `job_id` inside the current workspace scope.

    Idempotent: a job that is done, failed or running elsewhere is left alone; a resumed job
    continues after its last committed batch. Returns the job as stored."""
    job = _claim(job_id)
    if job is None:
        return ImportJob.objects.get(pk=job_id)
    try:
        if not job.total_rows:
            total = _count_rows(job)
            ImportJob.objects.filter(pk=job.pk).update(total_rows=total)
            job.total_rows = total
        context = RunContext(
            job=job,
            cleaner=RowCleaner(workspace=job.workspace, entity=job.entity, mapping=job.mapping),
            actor=job.created_by,
        )
        with job.file.open("rb") as fh:
            rows = islice(job_rows(job, fh), job.processed_rows, None)
            for batch in batched(rows, batch_size):
                import_batch(context, list(batch))
    except SoftTimeLimitExceeded:
        raise  # the task puts the job back in the queue; it resumes after the last batch
    except Exception as exc:  # the job row records the failure; nothing is retried blindly
        logger.exception("import %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING).update(
            status=ImportStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        return ImportJob.objects.get(pk=job.pk)
    ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING).update(
        status=ImportStatus.DONE, finished_at=timezone.now()
    )
    return ImportJob.objects.get(pk=job.pk)


def job_rows(job, fh):
    """(line, cells) of the data rows of the job's stored file, opened as `fh`."""
    return iter_rows(
        fh, file_format=job.file_format, encoding=job.encoding, delimiter=job.delimiter
    )


def _count_rows(job) -> int:
    with job.file.open("rb") as fh:
        return sum(1 for _ in job_rows(job, fh))


@transaction.atomic
def import_batch(context: RunContext, rows: list[tuple[int, list[str]]]) -> Counts:
    """Import one batch and advance the job's counters in the same transaction."""
    job = context.job
    context.pending = []
    valid, errors = [], []
    for line, cells in rows:
        values, problems = context.cleaner.clean(cells)
        if problems:
            errors.append(
                ImportRowError(
                    workspace_id=job.workspace_id,
                    job_id=job.pk,
                    line=line,
                    reason=" ".join(problems),
                    raw=cells[:RAW_CELLS_KEPT],
                )
            )
        else:
            valid.append(values)
    if job.entity == CustomFieldEntity.ACCOUNT:
        counts = _write_accounts(context, valid)
    else:
        counts = _write_contacts(context, valid)
    ImportRowError.objects.bulk_create(errors)
    counts.rejected = len(errors)
    moved = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING).update(
        processed_rows=F("processed_rows") + len(rows),
        created_count=F("created_count") + counts.created,
        updated_count=F("updated_count") + counts.updated,
        skipped_count=F("skipped_count") + counts.skipped,
        rejected_count=F("rejected_count") + counts.rejected,
        updated_at=timezone.now(),
    )
    if not moved:  # cancelled or failed meanwhile: write nothing of this batch
        transaction.set_rollback(True)
        return Counts()
    change_record_rows(actor=context.actor, changes=context.pending)
    return counts


# --- writing --------------------------------------------------------------------------------


def _column_defaults(model) -> dict[str, object]:
    """attname -> default for every concrete column but the primary key."""
    out = {}
    for f in model._meta.concrete_fields:
        if not f.primary_key:
            out[f.attname] = f.get_default()
    return out


def insert_rows(model, rows: list[dict]) -> list[int]:
    """Insert new rows (dicts of attname -> value) and return their ids in order.

    On PostgreSQL the ids are drawn from the table's sequence and the rows written with COPY
    (Django's bulk_create spends most of an import compiling the INSERT); elsewhere
    bulk_create."""
    if not rows:
        return []
    now = timezone.now()
    if connection.vendor != "postgresql":
        objs = model.objects.bulk_create(
            [model(**{"created_at": now, "updated_at": now, **row}) for row in rows]
        )
        return [obj.pk for obj in objs]
    defaults = _column_defaults(model)
    defaults.update(created_at=now, updated_at=now)
    columns = list(defaults)
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        ids = [r[0] for r in cursor.fetchall()]
        json_columns = {
            f.attname for f in model._meta.concrete_fields if f.get_internal_type() == "JSONField"
        }
        with cursor.cursor.copy(
            f'COPY "{table}" ("id", {", ".join(f'"{c}"' for c in columns)}) FROM STDIN'
        ) as copy:
            for pk, row in zip(ids, rows, strict=True):
                values = {**defaults, **row}
                for name in json_columns:
                    values[name] = json.dumps(values[name])
                copy.write_row([pk, *(values[c] for c in columns)])
    return ids


# --- matching ---------------------------------------------------------------------------


class Matcher:
    """Existing and pending records by dedupe key for one batch (dict lookups)."""

    def __init__(self):
        self.keys: dict[tuple[str, str], object] = {}

    def find(self, keys):
        for key in keys:
            if key in self.keys:
                return self.keys[key]
        return None

    def remember(self, obj, keys):
        for key in keys:
            self.keys.setdefault(key, obj)


_KEY_FIELDS = ("email", "email2", "phone", "mobile", "first_name", "last_name")


def _contact_keys(values: dict) -> list[tuple[str, str]]:
    """Dedupe keys of a row or a stored contact (its values by field name)."""
    keys = [("email", values[k]) for k in ("email", "email2") if values.get(k)]
    keys += [("phone", values[k]) for k in ("phone", "mobile") if values.get(k)]
    if not keys:  # no email or phone: the exact name is the only thing to recognise it by
        keys.append(
            (
                "name",
                f"{values.get('first_name', '').lower()}|{values.get('last_name', '').lower()}",
            )
        )
    return keys


def _existing_contacts(workspace_id, valid: list[dict]) -> Matcher:
    """Indexed IN lookups, one per key column, in the order rows are matched: email and
    email2 first, phone and mobile only for rows no email matched, exact names only for rows
    with neither (so a re-run does not load the same contact once per column)."""
    base = Contact.objects.filter(workspace_id=workspace_id).order_by("id")
    found: dict[int, Contact] = {}

    def fetch(columns, wanted):
        for column in columns:
            if wanted:
                for contact in base.filter(**{f"{column}__in": wanted}):
                    found.setdefault(contact.pk, contact)

    fetch(("email", "email2"), {v[k] for v in valid for k in ("email", "email2") if v.get(k)})
    known_emails = {e for c in found.values() for e in (c.email, c.email2) if e}
    rest = [v for v in valid if not ({v.get("email"), v.get("email2")} & known_emails)]
    fetch(("phone", "mobile"), {v[k] for v in rest for k in ("phone", "mobile") if v.get(k)})
    fetch(
        ("last_name",),
        {
            v.get("last_name", "")
            for v in rest
            if not any(v.get(k) for k in ("email", "email2", "phone", "mobile"))
        },
    )
    matcher = Matcher()
    for contact in sorted(found.values(), key=lambda c: c.pk):
        matcher.remember(contact, _contact_keys({k: getattr(contact, k) for k in _KEY_FIELDS}))
    return matcher


def _apply(target, values: dict) -> list[str]:
    """Set the non-empty imported values on `target` (a stored record, or the dict of a row
    of this batch not written yet); the names of the fields that changed."""
    if isinstance(target, dict):
        get, put = target.get, target.__setitem__
    else:
        get, put = partial(getattr, target), partial(setattr, target)
    changed = []
    for name, value in values.items():
        current = get(name)
        if name == "custom":
            value = {**(current or {}), **value}
        if current != value:
            put(name, value)
            changed.append(name)
    return changed


def _resolve_accounts(context: RunContext, valid: list[dict]) -> None:
    """Replace "company" by account_id: case-insensitive match, missing accounts created."""
    names = {}
    for values in valid:
        company = values.pop("company", "").strip()
        if company:
            names.setdefault(company.lower(), company)
            values["_account"] = company.lower()
    job = context.job
    unknown = [k for k in names if k not in context.account_ids]
    if unknown:
        for account_id, lowered in (
            Account.objects.filter(workspace_id=job.workspace_id)
            .annotate(lname=Lower("name"))
            .filter(lname__in=unknown)
            .order_by("id")
            .values_list("id", "lname")
        ):
            context.account_ids.setdefault(lowered, account_id)
    missing = [k for k in unknown if k not in context.account_ids]
    if missing:
        new = Account.objects.bulk_create(
            [Account(workspace_id=job.workspace_id, name=names[k]) for k in missing]
        )
        for key, account in zip(missing, new, strict=True):
            context.account_ids[key] = account.pk
        change_record_many(
            workspace=job.workspace_id,
            actor=context.actor,
            model=Account,
            object_ids=[a.pk for a in new],
            action=ChangeAction.CREATED,
            fields=["name"],
            pending=context.pending,
        )
    for values in valid:
        key = values.pop("_account", None)
        if key:
            values["account_id"] = context.account_ids[key]


def _write_contacts(context: RunContext, valid: list[dict]) -> Counts:
    job = context.job
    counts = Counts()
    _resolve_accounts(context, valid)
    mode = job.dedupe_mode
    matcher = (
        _existing_contacts(job.workspace_id, valid) if mode != DedupeMode.CREATE else Matcher()
    )
    new: list[dict] = []
    updates: dict[int, tuple[Contact, set]] = {}
    for values in valid:
        keys = _contact_keys(values)
        match = matcher.find(keys) if mode != DedupeMode.CREATE else None
        if match is None:
            row = {"workspace_id": job.workspace_id, **values}
            new.append(row)
            matcher.remember(row, keys)
            counts.created += 1
        elif mode == DedupeMode.SKIP:
            counts.skipped += 1
        else:
            changed = _apply(match, values)
            if not changed:
                counts.skipped += 1
            else:
                counts.updated += 1  # for a new record: a later row of the file completed it
                if not isinstance(match, dict):
                    updates.setdefault(match.pk, (match, set()))[1].update(changed)
            matcher.remember(match, keys)
    if new:
        ids = insert_rows(Contact, new)
        fields = sorted({k.removesuffix("_id") for c in valid for k in c})
        change_record_many(
            workspace=job.workspace_id,
            actor=context.actor,
            model=Contact,
            object_ids=ids,
            action=ChangeAction.CREATED,
            fields=fields,
            pending=context.pending,
        )
    _bulk_update(context, Contact, updates)
    return counts


def _bulk_update(context, model, updates: dict[int, tuple[object, set]]) -> None:
    if not updates:
        return
    now = timezone.now()
    all_fields = set()
    by_fields: dict[tuple, list[int]] = {}
    for pk, (obj, changed) in updates.items():
        obj.updated_at = now
        names = {"account" if f == "account_id" else f for f in changed}
        all_fields |= names
        by_fields.setdefault(tuple(sorted(names)), []).append(pk)
    model.objects.bulk_update(
        [obj for obj, _c in updates.values()], [*sorted(all_fields), "updated_at"]
    )
    for fields, ids in by_fields.items():
        change_record_many(
            workspace=context.job.workspace_id,
            actor=context.actor,
            model=model,
            object_ids=ids,
            action=ChangeAction.UPDATED,
            fields=fields,
            pending=context.pending,
        )


def _write_accounts(context: RunContext, valid: list[dict]) -> Counts:
    job = context.job
    counts = Counts()
    mode = job.dedupe_mode
    names = {v["name"].lower() for v in valid}
    existing: dict[str, Account] = {}
    if mode != DedupeMode.CREATE and names:
        for account in (
            Account.objects.filter(workspace_id=job.workspace_id)
            .annotate(lname=Lower("name"))
            .filter(lname__in=names)
            .order_by("id")
        ):
            existing.setdefault(account.lname, account)
    new: list[Account] = []
    updates: dict[int, tuple[Account, set]] = {}
    for values in valid:
        key = values["name"].lower()
        match = existing.get(key) if mode != DedupeMode.CREATE else None
        if match is None:
            account = Account(workspace_id=job.workspace_id, **values)
            new.append(account)
            if mode != DedupeMode.CREATE:
                existing[key] = account
            counts.created += 1
        elif mode == DedupeMode.SKIP:
            counts.skipped += 1
        else:
            changed = _apply(match, values)
            if not changed:
                counts.skipped += 1
            else:
                counts.updated += 1
                if match.pk:
                    updates.setdefault(match.pk, (match, set()))[1].update(changed)
    if new:
        Account.objects.bulk_create(new)
        fields = sorted({k for v in valid for k in v})
        change_record_many(
            workspace=job.workspace_id,
            actor=context.actor,
            model=Account,
            object_ids=[a.pk for a in new],
            action=ChangeAction.CREATED,
            fields=fields,
            pending=context.pending,
        )
    _bulk_update(context, Account, updates)
    return counts
