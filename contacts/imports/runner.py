"""The batched import (DESIGN.md §11): stream the stored file, validate rows, dedupe against
indexed keys with one set lookup per key per batch, write with bulk_create/bulk_update,
append change events with change_record_many, and move the job's counters per batch. A
batch's change events are appended last, after its counters: the change sequence is the
last lock the batch takes (writers of the workspace wait for it until the batch commits).

Each batch is one transaction together with its counters, so a crash of the import loses at
most the batch in flight and a re-run resumes after `processed_rows`. A batch's COMMIT does
not wait for the disk flush (`synchronous_commit = off` for that transaction only): a crash
of the PostgreSQL server may also lose the last few batches already reported committed, but
always whole, with their counters, so the resume still starts after the last durable batch. Rejected rows are stored as
ImportRowError with their line number; they never hold back the valid rows. Imported rows
with notes (a choice value left empty, the same person as an earlier line) are stored the
same way with kind "note".

Re-imports and duplicates within a file:
- A row that matches a stored record changes only what differs (values are compared, not
  merely matched): an unchanged row is "skipped or unchanged", with no change event and no
  `updated_at` bump, so re-importing an unchanged file reports 0 updated.
- Every record an import creates or matches is kept as an ImportedRecord with the first line
  that did (this is also what "Undo this import" deletes: the created ones). A later line of
  the same file that matches the same record (same email, phone or, without both, the same
  name) is the same person: **the first line wins**; the later line only fills fields the
  record still has empty, and its note names both lines and the values it did not take.
  The rule holds across batches and resumed runs, so a re-import never flips a value back
  and forth between two lines.
"""

import json
import logging
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import batched, islice
from types import SimpleNamespace

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from workspaces.audit import AuditAction, audit_quiet, audit_record
from workspaces.changelog import ChangeAction, change_record_many, change_record_rows
from workspaces.db.staging import copy_rows

from ..models import (
    Account,
    AccountTag,
    Contact,
    ContactTag,
    CustomFieldEntity,
    DedupeMode,
    ImportedRecord,
    ImportJob,
    ImportPossibleDuplicate,
    ImportRowError,
    ImportRowKind,
)
from ..services import job_state
from ..services.contacts import email_consent_apply
from ..services.privacy import BLOCKED, erased_addresses_block
from . import limits
from .mapping import RowCleaner
from .reading import iter_rows

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
RAW_CELLS_KEPT = 60
RAW_CELL_CHARS = 200
# pg_advisory_xact_lock(namespace, workspace): "CRMI", so no other lock user collides.
IMPORT_LOCK_NAMESPACE = 0x43524D49
# The job states, claim and heartbeat are shared with the other job rows (contacts.services.job_state).
STALE_AFTER = job_state.STALE_AFTER
MAX_RESTARTS = job_state.MAX_RESTARTS
ImportClaimLost = job_state.ClaimLost


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
    token: str  # the claim's owner token: every write of the run is conditional on it
    account_ids: dict[str, int] = field(default_factory=dict)  # lower(name) -> id
    pending: list = field(default_factory=list)  # the batch's change events, appended last
    notes: dict[int, list[str]] = field(default_factory=dict)  # the batch's notes by line

    @property
    def consent_source(self) -> str:
        return f"import {self.job.original_name}"[:100]


def import_claim(job_id: int) -> tuple[ImportJob, str] | None:
    """Take job `job_id` for this run (see job_state.job_claim): (job, owner token), or None
    when it is done, failed, uploaded, running elsewhere or not in this workspace."""
    return job_state.job_claim(ImportJob, job_id)


def _owned(job_id: int, token: str):
    return job_state.job_owned(ImportJob, job_id, token)


def import_run(*, job_id: int, batch_size: int = BATCH_SIZE) -> ImportJob | None:
    """Run (or resume) the import of job `job_id` inside the current workspace scope.

    Idempotent: a job that is done, failed or running elsewhere is left alone; a resumed job
    continues after its last committed batch. The whole file is read once (counting rows)
    before anything is written, so a file beyond a cap fails the job with a clear message and
    writes nothing. Each batch is written under the workspace's import lock and only while
    this run still holds the claim; the run stops at the first refused batch. Returns the
    job as stored, or None when no such job is in this workspace."""
    claim = import_claim(job_id)
    if claim is None:
        return ImportJob.objects.filter(pk=job_id).first()
    job, token = claim
    beat = job_state.Heartbeat(ImportJob, job.pk, token)
    try:
        if not job.total_rows:
            total = _count_rows(job, beat)
            beat(total_rows=total)
            job.total_rows = total
        context = RunContext(
            job=job,
            cleaner=RowCleaner(
                workspace=job.workspace,
                entity=job.entity,
                mapping=job.mapping,
                date_order=job.date_order,
            ),
            actor=job.created_by,
            token=token,
        )
        with open_stored(job) as fh, audit_quiet():  # one audit entry per import, at the end
            rows = islice(job_rows(job, fh), job.processed_rows, None)
            statistics = _Statistics(job)
            for batch in batched(rows, batch_size):
                import_batch(context, list(batch))
                statistics.after_batch(len(batch))
    except ImportClaimLost:
        logger.info("import %s: claim lost, this run stops", job.pk)
    except SoftTimeLimitExceeded:
        # back to the queue; the task sends a fresh message that resumes after the last batch
        job_state.job_release(ImportJob, job.pk, token)
        raise
    except (OperationalError, InterfaceError) as exc:
        # the database went away mid-run (connection dropped, server restarted): the batch in
        # flight was rolled back whole; the job goes back to the queue and resumes after its
        # last committed batch on the next sweep
        logger.warning("import %s: database connection lost: %s", job.pk, exc)
        _import_interrupt(job, token)
    except ValidationError as exc:  # a file beyond a cap or damaged, found while counting
        job_state.job_fail(ImportJob, job.pk, token, " ".join(exc.messages))
        _audit_import(job.pk)
    except FileNotFoundError:
        job_state.job_fail(
            ImportJob, job.pk, token, _("The uploaded file is no longer stored; upload it again.")
        )
    except Exception as exc:  # the job row records the failure; nothing is retried blindly
        logger.exception("import %s failed", job.pk)
        job_state.job_fail(ImportJob, job.pk, token, str(exc))
        _audit_import(job.pk)
    else:
        if job_state.job_finish(ImportJob, job.pk, token):
            _audit_import(job.pk)
    return ImportJob.objects.get(pk=job.pk)


def _audit_import(job_id: int) -> None:
    """The import's one audit entry (its batches write none): the person who started it,
    the job's status and row counts."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    audit_record(
        workspace=job.workspace_id,
        actor=job.created_by,
        action=AuditAction.IMPORTED,
        instance=job,
        details={
            "entity": job.entity,
            "status": job.status,
            "rows": job.total_rows,
            "processed": job.processed_rows,
            "created": job.created_count,
            "updated": job.updated_count,
            "skipped": job.skipped_count,
            "rejected": job.rejected_count,
        },
    )


def _import_interrupt(job, token: str) -> None:
    """Put the job back to the queue after its database connection was lost, on a fresh
    connection (job_state.job_interrupt). With the database still unreachable nothing can be
    written: the job stays "running" until its heartbeat goes stale and the sweeper takes it."""
    if not connection.in_atomic_block:  # inside one, the caller's transaction is lost anyway
        connection.close_if_unusable_or_obsolete()
    try:
        job.refresh_from_db(fields=["processed_rows"])
        rows = f"{job.processed_rows:,}"
        job_state.job_interrupt(
            ImportJob,
            job.pk,
            token,
            _(
                "The connection to the database was lost after %(rows)s rows. The import "
                "continues from the next row by itself within a few minutes."
            )
            % {"rows": rows},
            _(
                "The connection to the database was lost %(count)s times; %(rows)s rows were "
                "imported. Import the file again to add the rest."
            )
            % {"count": MAX_RESTARTS, "rows": rows},
        )
    except (OperationalError, InterfaceError):
        logger.warning("import %s: the database is still unreachable", job.pk)


class _Statistics:
    """Keeps PostgreSQL's estimate of the workspace's rows current while an import fills it.

    Each batch looks its rows' keys up among the records written so far (IN lists of 2,000
    keys on the workspace's key indexes). Autovacuum analyzes a table only minutes later;
    until then the planner believes the workspace still has its few old rows, prefers
    reading all of them to 2,000 index probes, and each batch reads everything the earlier
    ones wrote: the import grows quadratic in the size of the file. The key columns need
    statistics too: without them (a table analyzed while empty, autovacuum late or off)
    PostgreSQL takes `key = ANY(2,000 values)` to match every row of the workspace and reads
    them all. So the `workspace_id` column and the columns the batches look keys up in (and
    the job's ImportedRecord keys) are analyzed once 10,000 rows are written and again each
    time the number doubles: log₂ of the file's size, about 0.1-0.5 s each (a fixed-size
    sample of a few columns)."""

    FIRST_AT = 10_000
    KEY_COLUMNS = {
        Contact: "workspace_id, email_key, email2_key, phone, mobile, last_name",
        Account: "workspace_id, name",
    }

    def __init__(self, job):
        model = Account if job.entity == CustomFieldEntity.ACCOUNT else Contact
        self.tables = [
            (model, self.KEY_COLUMNS[model]),
            (ImportedRecord, "workspace_id, job_id, object_id"),
        ]
        self.written = 0
        self.next_at = self.FIRST_AT
        self.enabled = connection.vendor == "postgresql"

    def after_batch(self, rows: int) -> None:
        self.written += rows
        if not self.enabled or self.written < self.next_at:
            return
        self.next_at = self.written * 2
        with connection.cursor() as cursor:
            for model, columns in self.tables:
                # ANALYZE needs the table's owner: the owner's app_analyze function runs it
                # for the application role (workspaces.db.policies).
                cursor.execute(
                    "SELECT app_analyze(%s::regclass, %s)",
                    [f'"{model._meta.db_table}"', [c.strip() for c in columns.split(",")]],
                )


@contextmanager
def open_stored(job):
    """The job's stored file, binary and seekable, read through the storage API (so a worker
    on another host reads what the web node stored); a storage whose files cannot seek is
    copied to a local temporary file first."""
    with job.file.open("rb") as fh:
        if fh.seekable():
            yield fh
            return
        with tempfile.TemporaryFile() as copy:
            shutil.copyfileobj(fh, copy)
            copy.seek(0)
            yield copy


def job_rows(job, fh):
    """(line, cells) of the data rows of the job's stored file, opened as `fh`."""
    return iter_rows(
        fh, file_format=job.file_format, encoding=job.encoding, delimiter=job.delimiter
    )


def _count_rows(job, beat) -> int:
    """Read the whole file once: its number of data rows. Raises ValidationError for a file
    beyond a cap (rows, record size, sheet references) before anything is written."""
    count = 0
    with open_stored(job) as fh:
        for _row in job_rows(job, fh):
            count += 1
            if count > limits.MAX_ROWS:
                raise ValidationError(
                    _("The file has more than %(limit)s rows; split it into smaller files.")
                    % {"limit": f"{limits.MAX_ROWS:,}"}
                )
            if count % 1000 == 0:
                beat()
    return count


def import_lock(workspace_id: int) -> None:
    """Serialise the batches of all imports into one workspace: call first inside a batch's
    transaction; the lock is held until it commits. The next batch (of this or another
    import) then looks up duplicates only after the previous one's rows are committed, so
    two imports at once never create the same contact twice.

    PostgreSQL: a transaction-level advisory lock keyed by workspace. SQLite: nothing to do,
    every transaction is BEGIN IMMEDIATE (settings), which already admits one writer at a
    time and starts after the previous one committed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [IMPORT_LOCK_NAMESPACE, workspace_id % 2**31],
            )


def _raw(cells: list[str]) -> list[str]:
    return [c[:RAW_CELL_CHARS] for c in cells[:RAW_CELLS_KEPT]]


def commit_without_flush_wait() -> None:
    """Let the current transaction's COMMIT return before its WAL is flushed to disk
    (PostgreSQL `SET LOCAL synchronous_commit = off`; for this transaction only, the
    connection's setting is back at its default after the COMMIT or ROLLBACK). Nothing to do
    on SQLite.

    Why it is safe for an import batch: the batch's rows, its ImportedRecord rows, its change
    events and the job's `processed_rows` are one transaction, and PostgreSQL replays WAL in
    order. A crash of the server may lose the last batches whose commit was acknowledged but
    not yet flushed (at most about 3 × wal_writer_delay, 600 ms by default), but only whole
    transactions and only the latest ones: the stored `processed_rows` then still counts
    exactly the rows that survived, and the resume starts after the last durable batch. Never
    corruption, never a half batch."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def import_batch(context: RunContext, rows: list[tuple[int, list[str]]]) -> Counts:
    """Import one batch under the workspace's import lock and advance the job's counters
    and heartbeat in the same transaction. Raises ImportClaimLost (everything of this batch
    rolled back) when the run no longer holds the job.

    When the batch is its own transaction (the import's run: no transaction open around
    it), its COMMIT does not wait for the disk flush (commit_without_flush_wait: a server
    crash can lose only the last whole batches, and the resume redoes them). Called inside a
    caller's transaction, the batch leaves that transaction's durability alone."""
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if own_transaction:
            commit_without_flush_wait()
        return _import_batch(context, rows)


def _import_batch(context: RunContext, rows: list[tuple[int, list[str]]]) -> Counts:
    job = context.job
    import_lock(job.workspace_id)
    context.pending = []
    context.notes = {}
    valid, errors = [], []
    sources = []  # (line, cells) of each valid row
    for line, cells in rows:
        values, problems, notes = context.cleaner.clean_row(cells)
        if problems:
            errors.append(
                ImportRowError(
                    workspace_id=job.workspace_id,
                    job_id=job.pk,
                    line=line,
                    reason=" ".join(problems + notes),
                    raw=_raw(cells),
                )
            )
        else:
            if notes:
                context.notes[line] = list(notes)
            _apply_job_defaults(job, values)
            values[LINE] = line
            valid.append(values)
            sources.append((line, cells))
    if job.entity == CustomFieldEntity.ACCOUNT:
        counts = _write_accounts(context, valid)
    else:
        counts = _write_contacts(context, valid, sources)
    cells_by_line = dict(rows)
    errors += [
        ImportRowError(
            workspace_id=job.workspace_id,
            job_id=job.pk,
            line=line,
            reason=" ".join(notes),
            raw=_raw(cells_by_line[line]),
            kind=ImportRowKind.NOTE,
        )
        for line, notes in sorted(context.notes.items())
    ]
    ImportRowError.objects.bulk_create(errors)
    counts.rejected = len(errors) - len(context.notes)
    moved = _owned(job.pk, context.token).update(
        processed_rows=F("processed_rows") + len(rows),
        created_count=F("created_count") + counts.created,
        updated_count=F("updated_count") + counts.updated,
        skipped_count=F("skipped_count") + counts.skipped,
        rejected_count=F("rejected_count") + counts.rejected,
        noted_count=F("noted_count") + len(context.notes),
        updated_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    if not moved:  # re-queued, taken over or stopped meanwhile: write nothing of this batch
        raise ImportClaimLost
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

    def values():
        for pk, row in zip(ids, rows, strict=True):
            values = {**defaults, **row}
            for name in json_columns:
                values[name] = json.dumps(values[name])
            yield [pk, *(values[c] for c in columns)]

    # Through a staging table: the target is under row-level security (workspaces.db.staging).
    copy_rows(table, ["id", *columns], values())
    return ids


# --- matching ---------------------------------------------------------------------------


class Matcher:
    """Existing and pending records by dedupe key for one batch (dict lookups). Email
    addresses (and, for records with neither email nor phone, the exact name) identify a
    record; a phone number only points at candidates (`phone_candidates`), since people
    share switchboard numbers."""

    def __init__(self):
        self.keys: dict[tuple[str, str], object] = {}
        self.by_phone: dict[str, list] = {}  # E.164 -> records with it as phone or mobile

    def find(self, keys):
        for key in keys:
            if key in self.keys:
                return self.keys[key]
        return None

    def remember(self, obj, keys):
        for key in keys:
            if key[0] == "phone":
                bucket = self.by_phone.setdefault(key[1], [])
                if not any(other is obj for other in bucket):
                    bucket.append(obj)
            else:
                self.keys.setdefault(key, obj)

    def phone_candidates(self, keys) -> list:
        """Records sharing a phone number of `keys` (phone or mobile), first remembered
        first, each once."""
        found: list = []
        for kind, value in keys:
            if kind == "phone":
                for obj in self.by_phone.get(value, ()):
                    if not any(other is obj for other in found):
                        found.append(obj)
        return found


_KEY_FIELDS = (
    "email",
    "email2",
    "email_key",
    "email2_key",
    "phone",
    "phone_extension",
    "mobile",
    "first_name",
    "last_name",
)


def _name_part(value) -> str:
    return " ".join(str(value or "").split()).casefold()


def phone_match_verdict(values: dict, record) -> str | None:
    """How a row (`values`) that shares a phone number with `record` (a stored Contact or a
    row of this import, a dict) relates to it: None when something contradicts (both have
    email addresses and none in common, different first or last names, different
    extensions on the same phone), "same" when the full names agree as well, "possible"
    when nothing else tells (a switchboard number alone never makes two people one)."""
    get = record.get if isinstance(record, dict) else partial(getattr, record)
    # addresses compared by their keys (contacts.emails.email_key)
    row_emails = {values.get(k) for k in ("email_key", "email2_key")} - {None, ""}
    record_emails = {get(k) for k in ("email_key", "email2_key")} - {None, ""}
    if row_emails and record_emails and not (row_emails & record_emails):
        return None
    names = []
    for part in ("first_name", "last_name"):
        mine, theirs = _name_part(values.get(part)), _name_part(get(part))
        if mine and theirs and mine != theirs:
            return None
        names.append((mine, theirs))
    if values.get("phone") and values.get("phone") == get("phone"):
        mine, theirs = values.get("phone_extension") or "", get("phone_extension") or ""
        if mine and theirs and mine != theirs:
            return None
    if all(mine == theirs for mine, theirs in names) and any(mine for mine, _t in names):
        return "same"
    return "possible"


def _phone_match(matcher: Matcher, values: dict, keys) -> tuple[object, object]:
    """(the record this row is, None) when a record sharing its phone number has the same
    name and nothing contradicts; (None, the record it may be) when only the number is
    shared; (None, None) when no record shares it without a contradiction."""
    possible = None
    for record in matcher.phone_candidates(keys):
        verdict = phone_match_verdict(values, record)
        if verdict == "same":
            return record, None
        if verdict == "possible" and possible is None:
            possible = record
    return None, possible


def _contact_keys(values: dict) -> list[tuple[str, str]]:
    """Dedupe keys of a row or a stored contact (its values by field name); addresses by
    their comparison keys (contacts.emails.email_key)."""
    keys = [("email", values[k]) for k in ("email_key", "email2_key") if values.get(k)]
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
    # No ORDER BY: the matcher takes the contacts in id order below. Ordered by id, the
    # planner may walk the primary key through the whole workspace instead of probing the
    # key's index once per value (EXPLAIN in bench/README.md, "Import at scale").
    base = Contact.objects.filter(workspace_id=workspace_id)
    found: dict[int, Contact] = {}

    def fetch(columns, wanted):
        for column in columns:
            if wanted:
                for contact in base.filter(**{f"{column}__in_array": wanted}):
                    found.setdefault(contact.pk, contact)

    email_keys = ("email_key", "email2_key")
    fetch(email_keys, {v[k] for v in valid for k in email_keys if v.get(k)})
    known_emails = {e for c in found.values() for e in (c.email_key, c.email2_key) if e}
    rest = [v for v in valid if not ({v.get(k) for k in email_keys} & known_emails)]
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
        if name in ("email", "email2") and get(f"{name}_key") == values.get(f"{name}_key"):
            continue  # the same mailbox written another way: the stored spelling stays
        if name == "custom":
            value = {**(current or {}), **value}
        if current != value:
            put(name, value)
            changed.append(name)
    if "birthday_month" in values and "date_of_birth" not in values:
        # a birthday without a year that differs from the stored date of birth replaces it
        born = get("date_of_birth")
        if born and (born.month, born.day) != (values["birthday_month"], values["birthday_day"]):
            put("date_of_birth", None)
            changed.append("date_of_birth")
    return changed


_CONSENT_DEFAULTS = {"email_opt_in": False, "email_opt_in_at": None, "email_opt_in_source": ""}


def _value_of(target, name: str):
    if isinstance(target, dict):
        return target.get(name, _CONSENT_DEFAULTS.get(name))
    return getattr(target, name)


def _consent(target, *, was_opted_in: bool, source: str) -> list[str]:
    """contact_create's consent rule (services.email_consent_apply) on a stored contact or on
    a row not written yet (a dict); the names of the fields it changed."""
    view = (
        SimpleNamespace(**{k: _value_of(target, k) for k in _CONSENT_DEFAULTS})
        if isinstance(target, dict)
        else target
    )
    before = {k: getattr(view, k) for k in _CONSENT_DEFAULTS}
    email_consent_apply(view, was_opted_in=was_opted_in, source=source)
    changed = [k for k in _CONSENT_DEFAULTS if getattr(view, k) != before[k]]
    if isinstance(target, dict):
        target.update({k: getattr(view, k) for k in changed})
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


def _write_contacts(context: RunContext, valid: list[dict], sources: list) -> Counts:
    job = context.job
    counts = Counts()
    _resolve_accounts(context, valid)
    mode = job.dedupe_mode
    matcher = (
        _existing_contacts(job.workspace_id, valid) if mode != DedupeMode.CREATE else Matcher()
    )
    # 1. which record each row is about (a stored contact, or a new one: its row dict)
    rows: list[tuple[dict, object, bool, tuple]] = []  # (values, target, creates it, key)
    possible_duplicates: list[tuple[int, list[str], object, str]] = []
    for values, (line, cells) in zip(valid, sources, strict=True):
        keys = _contact_keys(values)
        match = matcher.find(keys) if mode != DedupeMode.CREATE else None
        if match is None and mode != DedupeMode.CREATE:
            match, possible = _phone_match(matcher, values, keys)
            if possible is not None:
                theirs = {_value_of(possible, "phone"), _value_of(possible, "mobile")}
                shared = next(v for k, v in keys if k == "phone" and v in theirs)
                possible_duplicates.append((line, cells, possible, shared))
                counts.skipped += 1
                continue
        if match is None:
            row = {"workspace_id": job.workspace_id, **values}
            row.pop(LINE)
            matcher.remember(row, keys)
            rows.append((values, row, True, ()))
        else:
            shared = next((k for k in keys if matcher.keys.get(k) is match), ())
            matcher.remember(match, keys)
            rows.append((values, match, False, shared))
    # 2. apply them in file order: the first line about a record wins (see the module text)
    firsts = _FirstLines(context, [t for _v, t, _n, _k in rows if not isinstance(t, dict)])
    new: list[dict] = []
    updates: dict[int, tuple[Contact, set]] = {}
    for values, target, creates, shared in rows:
        line = values.pop(LINE)
        if creates:
            if "email_opt_in" in values:
                _consent(target, was_opted_in=False, source=context.consent_source)
            new.append(target)
            firsts.note_first(target, line, created=True)
            counts.created += 1
            continue
        earlier = firsts.line_of(target)
        if earlier is None:
            firsts.note_first(target, line, created=False)
            if mode == DedupeMode.SKIP:
                counts.skipped += 1
                continue
            was_opted_in = _value_of(target, "email_opt_in")
            changed = _apply(target, values)
            if "email_opt_in" in values:
                changed += _consent(
                    target, was_opted_in=was_opted_in, source=context.consent_source
                )
        else:
            changed = (
                []
                if mode == DedupeMode.SKIP
                else _fill_empty(context, Contact, target, values, line)
            )
            _note_same_person(context, earlier, line, shared)
        if not changed:
            counts.skipped += 1
            continue
        counts.updated += 1
        if not isinstance(target, dict):
            updates.setdefault(target.pk, (target, set()))[1].update(changed)
    if new:
        # an address of an erased contact comes back without consent (GDPR: stays erased)
        erased_addresses_block(workspace=job.workspace_id, contacts=new)
        ids = insert_rows(Contact, new)
        for row, pk in zip(new, ids, strict=True):
            row["id"] = pk
    _possible_duplicates_store(context, possible_duplicates)
    if new:
        fields = sorted({k.removesuffix("_id") for c in new for k in c} - {"workspace", "id"})
        if job.tag_ids:
            fields = sorted({*fields, "tags"})
        change_record_many(
            workspace=job.workspace_id,
            actor=context.actor,
            model=Contact,
            object_ids=ids,
            action=ChangeAction.CREATED,
            fields=fields,
            pending=context.pending,
        )
    _erased_addresses_block_updates(context, updates)
    _bulk_update(context, Contact, updates)
    stored = firsts.stored_first if mode != DedupeMode.SKIP else []
    _count_tag_only_updates(counts, _add_job_tags(context, Contact, new, stored), updates)
    firsts.save()
    return counts


def _erased_addresses_block_updates(context: RunContext, updates: dict) -> None:
    """An update that gives a contact an erased person's address, or opts such an address in,
    leaves it without consent (GDPR: the person stays erased), as new rows do."""
    touched = [t for t, fields in updates.values() if fields & {"email", "email2", "email_opt_in"}]
    if not touched:
        return
    before = {t.pk: [getattr(t, name) for name in BLOCKED] for t in touched}
    if erased_addresses_block(workspace=context.job.workspace_id, contacts=touched):
        for target in touched:
            changed = [
                name
                for name, old in zip(BLOCKED, before[target.pk], strict=True)
                if getattr(target, name) != old
            ]
            updates[target.pk][1].update(changed)


def _possible_duplicates_store(context: RunContext, found: list) -> None:
    """Store the rows that share only a phone number with a contact (line, cells, the
    contact or the row of this batch it may be, the shared number) for the result page.
    Operational rows, like the rejected ones: not in the change log."""
    rows = []
    for line, cells, record, phone in found:
        if isinstance(record, dict):
            contact_id = record.get("id")
            name = " ".join(p for p in (record.get("first_name"), record.get("last_name")) if p)
        else:
            contact_id, name = record.pk, str(record)
        rows.append(
            ImportPossibleDuplicate(
                workspace_id=context.job.workspace_id,
                job_id=context.job.pk,
                line=line,
                contact_id=contact_id,
                contact_name=(name or phone)[:201],
                phone=phone,
                raw=_raw(cells),
            )
        )
    ImportPossibleDuplicate.objects.bulk_create(rows)


def _count_tag_only_updates(counts: Counts, tagged: set, updates: dict) -> None:
    """A stored record whose row changed nothing but got the import's tags was counted as
    unchanged: it is updated."""
    moved = len(tagged - set(updates))
    counts.skipped -= moved
    counts.updated += moved


# --- rules of a row's values ----------------------------------------------------------------

LINE = "_line"  # a row's line number, carried in its values until it is written


def _apply_job_defaults(job, values: dict) -> None:
    """The import's own choices for every row: its owner, and its lifecycle stage where the
    row has none of its own (a stage column wins)."""
    if job.owner_id:
        values["owner_id"] = job.owner_id
    if job.lifecycle_stage and job.entity == CustomFieldEntity.CONTACT:
        values.setdefault("lifecycle_stage", job.lifecycle_stage)


def _is_empty(value) -> bool:
    return value in (None, "", {}, [])


# A later line about the same person fills empty fields only. Consent is restrictive: a
# "do not call/mail" from any line is kept, and so is an opt-out ("no" to the newsletter);
# an opt-in comes only from the line that was imported (a "yes" on another line is no
# consent to that record's address).
_RESTRICTIVE = {"do_not_call", "do_not_mail"}
# Fields computed from another (Contact.save keeps them so): taken together with their
# source, and named by it in a note.
_DERIVED = {
    "email_key": "email",
    "email2_key": "email2",
    "birthday_month": "date_of_birth",
    "birthday_day": "date_of_birth",
}


def _fill_empty(context, model, target, values: dict, line: int) -> list[str]:
    """Apply a later line about an already imported record: set the fields the record has
    empty, and the restrictive consent values (do not call/mail, an opt-out); the values that
    differ from what the record keeps go into the line's note. A record not written yet (a row dict) counts
    its missing fields at their defaults, as once stored. Returns the changed field names."""
    fill, ignored = {}, []
    for name, value in values.items():
        if _DERIVED.get(name) in values:
            continue  # follows its source (below)
        current = _current(model, target, name)
        if name == "custom":
            current = current or {}
            extra = {k: v for k, v in value.items() if _is_empty(current.get(k))}
            if extra:
                fill[name] = extra
            ignored += [k for k, v in value.items() if k not in extra and current[k] != v]
        elif name in _RESTRICTIVE:
            if value and not current:
                fill[name] = value
        elif name == "email_opt_in":
            if current and not value:
                fill[name] = value
            elif value and not current:
                ignored.append(name)
        elif _is_empty(current):
            fill[name] = value
        elif current != value:
            ignored.append(name)
    for name, source in _DERIVED.items():
        if source in fill and name in values:
            fill[name] = values[name]
    if ignored:
        labels = sorted({_DERIVED.get(n, n).removesuffix("_id").replace("_", " ") for n in ignored})
        context.notes.setdefault(line, []).append(
            _("Not taken from this line: %(fields)s.") % {"fields": ", ".join(labels)}
        )
    changed = _apply(target, fill) if fill else []
    if "email_opt_in" in fill:  # an opt-out: clear when and where the opt-in was given
        changed += _consent(target, was_opted_in=True, source=context.consent_source)
    return changed


def _current(model, target, name: str):
    if not isinstance(target, dict):
        return getattr(target, name)
    if name in target:
        return target[name]
    return _model_defaults(model).get(name)


_DEFAULTS: dict = {}


def _model_defaults(model) -> dict:
    if model not in _DEFAULTS:
        _DEFAULTS[model] = _column_defaults(model)
    return _DEFAULTS[model]


def _note_same_person(context, earlier: int, line: int, shared: tuple) -> None:
    kind, value = shared or ("name", "")
    what = {
        "email": _("same email %(value)s"),
        "phone": _("same phone %(value)s"),
        "name": _("same name, no email or phone"),
    }.get(kind, _("same %(value)s")) % {"value": value}
    context.notes.setdefault(line, []).insert(
        0,
        _(
            "Lines %(first)s and %(line)s are the same person (%(what)s): line %(first)s was "
            "imported, this line only filled fields it left empty."
        )
        % {"first": earlier, "line": line, "what": what},
    )


class _FirstLines:
    """The first line of this import about each record of a batch: records created or
    matched in earlier batches (ImportedRecord, one query) and in this one; `save()` stores
    the batch's new ones."""

    def __init__(self, context, stored: list):
        self.context = context
        self.lines: dict[int, int] = {}  # id(target) -> line
        self.stored_first: list = []  # stored records this import touches for the first time
        self._records: list[tuple[object, int, bool]] = []
        pks = {t.pk for t in stored}
        earlier = {}
        if pks:
            earlier = dict(
                ImportedRecord.objects.filter(
                    workspace_id=context.job.workspace_id,
                    job_id=context.job.pk,
                    object_id__in_array=pks,
                ).values_list("object_id", "line")
            )
        for target in stored:
            if target.pk in earlier:
                self.lines[id(target)] = earlier[target.pk]

    def line_of(self, target) -> int | None:
        return self.lines.get(id(target))

    def note_first(self, target, line: int, *, created: bool) -> None:
        self.lines[id(target)] = line
        self._records.append((target, line, created))
        if not created:
            self.stored_first.append(target)

    def save(self) -> None:
        job = self.context.job
        insert_rows(
            ImportedRecord,
            [
                {
                    "workspace_id": job.workspace_id,
                    "job_id": job.pk,
                    "object_id": target["id"] if isinstance(target, dict) else target.pk,
                    "line": line,
                    "created": created,
                }
                for target, line, created in self._records
            ],
        )


_TAG_LINKS = {Contact: (ContactTag, "contact_id"), Account: (AccountTag, "account_id")}


def _add_job_tags(context, model, new: list, stored: list) -> set[int]:
    """Link the import's tags to the records it created (`new`, row dicts with their ids)
    and to the stored ones it matched first in this batch (`stored`) that lack them; records
    the links and an `updated` ("tags") event per stored record. Returns the ids of the stored
    records that got a tag."""
    job = context.job
    if not job.tag_ids:
        return set()
    link, column = _TAG_LINKS[model]
    stored_pks = {t.pk for t in stored}
    having = set()
    if stored_pks:
        having = set(
            link.objects.filter(
                workspace_id=job.workspace_id,
                **{f"{column}__in": stored_pks},
                tag_id__in=job.tag_ids,
            ).values_list(column, "tag_id")
        )
    targets = [row["id"] for row in new] + sorted(stored_pks)
    rows = [
        {"workspace_id": job.workspace_id, column: pk, "tag_id": tag_id}
        for pk in targets
        for tag_id in job.tag_ids
        if (pk, tag_id) not in having
    ]
    if not rows:
        return set()
    ids = insert_rows(link, rows)
    change_record_many(
        workspace=job.workspace_id,
        actor=context.actor,
        model=link,
        object_ids=ids,
        action=ChangeAction.CREATED,
        fields=[column.removesuffix("_id"), "tag"],
        pending=context.pending,
    )
    tagged = {row[column] for row in rows} & stored_pks
    change_record_many(
        workspace=job.workspace_id,
        actor=context.actor,
        model=model,
        object_ids=sorted(tagged),
        action=ChangeAction.UPDATED,
        fields=["tags"],
        pending=context.pending,
    )
    return tagged


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
    """Accounts by name (case-insensitive), with the rules of `_write_contacts`: values
    compared, the first line about an account wins, ImportedRecord kept, the import's owner
    and tags applied."""
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
    rows: list[tuple[dict, Account, bool]] = []
    for values in valid:
        key = values["name"].lower()
        match = existing.get(key) if mode != DedupeMode.CREATE else None
        if match is None:
            account = Account(
                workspace_id=job.workspace_id, **{k: v for k, v in values.items() if k != LINE}
            )
            if mode != DedupeMode.CREATE:
                existing[key] = account
            rows.append((values, account, True))
        else:
            rows.append((values, match, False))
    firsts = _FirstLines(context, [t for _v, t, created in rows if not created and t.pk])
    new: list[Account] = []
    updates: dict[int, tuple[Account, set]] = {}
    for values, target, creates in rows:
        line = values.pop(LINE)
        if creates:
            new.append(target)
            firsts.note_first(target, line, created=True)
            counts.created += 1
            continue
        earlier = firsts.line_of(target)
        if earlier is None:
            firsts.note_first(target, line, created=False)
            if mode == DedupeMode.SKIP:
                counts.skipped += 1
                continue
            changed = _apply(target, values)
        else:
            changed = (
                []
                if mode == DedupeMode.SKIP
                else _fill_empty(context, Account, target, values, line)
            )
            _note_same_company(context, earlier, line)
        if not changed:
            counts.skipped += 1
            continue
        counts.updated += 1
        if target.pk:
            updates.setdefault(target.pk, (target, set()))[1].update(changed)
    if new:
        Account.objects.bulk_create(new)
        fields = sorted({k.removesuffix("_id") for v in valid for k in v})
        if job.tag_ids:
            fields = sorted({*fields, "tags"})
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
    stored = firsts.stored_first if mode != DedupeMode.SKIP else []
    tagged = _add_job_tags(context, Account, [{"id": a.pk} for a in new], stored)
    _count_tag_only_updates(counts, tagged, updates)
    firsts.save()
    return counts


def _note_same_company(context, earlier: int, line: int) -> None:
    context.notes.setdefault(line, []).insert(
        0,
        _(
            "Lines %(first)s and %(line)s are the same company (same name): line %(first)s "
            "was imported, this line only filled fields it left empty."
        )
        % {"first": earlier, "line": line},
    )
