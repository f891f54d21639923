"""The export runner (DESIGN.md §8): moves each registered table of a workspace from its
high-water mark up to the workspace's current sequence number into the sink.

One run of a workspace at a time (`workspace_lock`). Per table, the window
`(high_water, upto]` is planned as an `ExportBatch` row before the sink is written; the rows go
in as Arrow record batches (the changed keys in chunks of KEY_CHUNK, then the appended rows);
after `sink.commit()` the batch is marked committed and the mark moves, in one transaction. A
run killed in between leaves the batch `started`: the next run redoes exactly that window under
the same batch id, and the sink's upsert by key leaves no duplicate. A sink that fails
(SinkError, OSError) fails the run with its message in `TableState.last_error`; the mark stays,
so the next run catches up."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from itertools import islice

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from touchpoints.models import Interaction
from workspaces.models import ChangeEvent, ChangeSequence
from workspaces.scoping import workspace_scope

from .. import registry
from ..models import BatchStatus, ExportBatch, TableState, WarehouseSettings
from ..pseudonyms import scrub_batch
from ..registry import ExportContext, Sink, SinkError, Table, Window
from ..sinks import sink_from_url

logger = logging.getLogger(__name__)

KEY_CHUNK = 10_000  # changed keys per rows() call: bounds the memory of a large window
# pg_try_advisory_lock(namespace, workspace): "CRMW", apart from the imports' "CRMI".
LOCK_NAMESPACE = 0x43524D57
# Where there is no advisory lock (SQLite): a claim older than this belongs to a dead run.
# Longer than the export task's hard time limit (warehouse.tasks).
CLAIM_STALE = timedelta(hours=1)


class ExportResult(dict):
    """What one run did: {table name: rows written}, plus `seconds` ({table name: seconds}),
    `upto_seq` (the sequence number the run exported up to) and `busy` (True: another run of
    the workspace held the lock and this one did nothing)."""

    def __init__(self, *, busy: bool = False, upto_seq: int = 0):
        super().__init__()
        self.busy = busy
        self.upto_seq = upto_seq
        self.seconds: dict[str, float] = {}


# --- the workspace's secret and context --------------------------------------------------


def settings_for(workspace) -> WarehouseSettings:
    """The workspace's WarehouseSettings, made with a new secret on first use."""
    with workspace_scope(workspace):
        row = WarehouseSettings.objects.filter(workspace=workspace).first()
        if row is not None:
            return row
        try:
            with transaction.atomic():
                return WarehouseSettings.objects.create(
                    workspace=workspace, secret=secrets.token_hex(32)
                )
        except IntegrityError:  # made by a concurrent first run
            return WarehouseSettings.objects.get(workspace=workspace)


def context_for(workspace, *, batch_rows: int | None = None) -> ExportContext:
    """The ExportContext of `workspace` (a Workspace): its id and its pseudonym secret
    (`bytes.fromhex(WarehouseSettings.secret)`, made on first use); `batch_rows` overrides
    the rows per Arrow record batch."""
    row = settings_for(workspace)
    context = ExportContext(workspace_id=workspace.pk, secret=bytes.fromhex(row.secret))
    if batch_rows:
        context.batch_rows = batch_rows
    return context


def workspace_key_for(context: ExportContext) -> str:
    """The workspace's pseudonym in the warehouse (16 hex digits, a keyed hash with the
    workspace's secret): the `workspace_key` column and the Parquet `workspace=` directory."""
    return hmac.new(context.secret, b"workspace", hashlib.sha256).hexdigest()[:16]


def sequence_last(workspace) -> int:
    """The last sequence number handed out in `workspace` (0 before its first change)."""
    with workspace_scope(workspace):
        value = (
            ChangeSequence.objects.filter(workspace=workspace)
            .values_list("last", flat=True)
            .first()
        )
    return value or 0


# --- the lock ------------------------------------------------------------------------------


@contextmanager
def workspace_lock(workspace) -> Iterator[bool]:
    """Hold the workspace's export lock for the block; yields False (and holds nothing) when
    another run has it. PostgreSQL: a session advisory lock on (LOCK_NAMESPACE, workspace
    id), released at the end or when the connection dies. Elsewhere: a claim on the
    workspace's WarehouseSettings row (a token, taken by a conditional UPDATE; a claim
    older than CLAIM_STALE is taken over)."""
    if connection.vendor == "postgresql":
        key = [LOCK_NAMESPACE, workspace.pk % 2**31]
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
            held = cursor.fetchone()[0]
        try:
            yield held
        finally:
            if held:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
        return
    row = settings_for(workspace)
    token = uuid.uuid4().hex
    now = timezone.now()
    with workspace_scope(workspace):
        claims = WarehouseSettings.objects.filter(pk=row.pk)
        held = bool(
            claims.filter(Q(run_token="") | Q(run_started_at__lt=now - CLAIM_STALE)).update(
                run_token=token, run_started_at=now
            )
        )
        try:
            yield held
        finally:
            if held:
                claims.filter(run_token=token).update(run_token="", run_started_at=None)


# --- the run ---------------------------------------------------------------------------------


def export_workspace(
    workspace, *, full: bool = False, tables: Iterable[str] | None = None, sink: Sink | None = None
) -> ExportResult:
    """Export `workspace` (a Workspace) into the warehouse: every registered table (or those
    named in `tables`), in `registry.tables()` order, from its high-water mark up to the
    workspace's current `ChangeSequence.last`; `full=True` rebuilds each table (truncate, all
    rows). `sink`: the sink to write (default: `sink_from_url(settings.WAREHOUSE_URL)`).

    Returns an ExportResult ({table: rows written}); `busy` when another run of the
    workspace is under way (nothing done, no error). Raises SinkError when the sink cannot
    be written (the message is also in that table's `TableState.last_error`, its mark
    unmoved, the tables after it not run); ValueError for an unknown table name."""
    selected = registry.tables()
    if tables is not None:
        wanted = set(tables)
        if unknown := wanted - {t.name for t in selected}:
            raise ValueError(f"unknown warehouse tables: {', '.join(sorted(unknown))}")
        selected = [t for t in selected if t.name in wanted]
    with workspace_scope(workspace), workspace_lock(workspace) as held:
        if not held:
            logger.info("warehouse export of workspace %s: busy", workspace.pk)
            return ExportResult(busy=True)
        upto = sequence_last(workspace)
        context = context_for(workspace)
        result = ExportResult(upto_seq=upto)
        sink = sink or sink_from_url(settings.WAREHOUSE_URL)
        try:
            sink.open(workspace_id=workspace.pk, workspace_key=workspace_key_for(context))
        except (SinkError, OSError) as error:
            for table in selected:
                _record_failure(workspace, table, None, _message(error))
            raise _as_sink_error(error) from error
        try:
            for table in selected:
                started = time.monotonic()
                result[table.name] = _export_table(workspace, context, sink, table, upto, full)
                result.seconds[table.name] = time.monotonic() - started
        finally:
            sink.close()
        batches_purge(workspace=workspace)
        return result


def batches_purge(*, workspace, now=None) -> int:
    """Delete the workspace's finished (committed or failed) export batches older than
    WAREHOUSE_BATCH_RETENTION_DAYS (the audit of recent runs; a `started` batch always stays:
    it is the next run's work). Returns how many were deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.WAREHOUSE_BATCH_RETENTION_DAYS)
    deleted, _detail = (
        ExportBatch.objects.filter(workspace=workspace, finished_at__lt=cutoff)
        .exclude(status=BatchStatus.STARTED)
        .delete()
    )
    return deleted


def _export_table(workspace, context, sink: Sink, table: Table, upto: int, full: bool) -> int:
    """Run the table's unfinished batch (a killed run's window, redone as planned) if any,
    then its window up to `upto` (or, `full`, everything); returns the rows written."""
    unfinished = ExportBatch.objects.filter(
        workspace=workspace, table=table.name, status=BatchStatus.STARTED
    ).order_by("started_at")
    written = 0
    if full:
        unfinished.update(
            status=BatchStatus.FAILED, finished_at=timezone.now(), error="replaced by a full run"
        )
    elif (redo := unfinished.first()) is not None:
        logger.warning("warehouse export: redoing the unfinished batch %s", redo.batch_id)
        ExportBatch.objects.filter(pk=redo.pk).update(
            attempts=redo.attempts + 1, started_at=timezone.now()
        )
        written += _run_batch(workspace, context, sink, table, redo, full=redo.full)
    state = _state(workspace, table)
    if state.high_water == 0 and state.last_success_at is None and not written:
        # A table's first export reads every row: records written before the change log
        # existed, or by code that records no event (demo seeders), arrive all the same.
        full = True
    batch = _plan(workspace, table, state, upto, full)
    if batch is None:  # nothing new: no sink write
        if not written:
            _record_idle(workspace, state)
        return written
    return written + _run_batch(workspace, context, sink, table, batch, full=full)


def _run_batch(workspace, context, sink: Sink, table: Table, batch: ExportBatch, *, full) -> int:
    """Write one planned batch, commit the sink, then mark the batch committed and move the
    table's mark (one transaction). On failure the batch and TableState get the message."""
    window = Window(batch.after_seq, batch.upto_seq)
    try:
        rows = _write(context, sink, table, window, batch.batch_id, full)
        total = sink.count(table=table) if hasattr(sink, "count") else None
        sink.commit()
    except Exception as error:
        _record_failure(workspace, table, batch, _message(error))
        if isinstance(error, SinkError | OSError):
            raise _as_sink_error(error) from error
        raise
    _record_success(workspace, table, batch, rows, total)
    return rows


def _plan(workspace, table: Table, state: TableState, upto: int, full: bool):
    """The ExportBatch of the window `(high_water, upto]` (or, `full`, `(0, upto]`), written
    before the sink is; None for an empty window."""
    now = timezone.now()
    if full:
        window, batch_id = Window(0, upto), f"{table.name}-full-{upto}"
    else:
        window = Window(state.high_water, upto)
        if window.empty:
            return None
        batch_id = f"{table.name}-{window.after_seq}-{window.upto_seq}"
    batch, created = ExportBatch.objects.get_or_create(
        workspace=workspace,
        batch_id=batch_id,
        defaults={
            "table": table.name,
            "after_seq": window.after_seq,
            "upto_seq": window.upto_seq,
            "full": full,
            "started_at": now,
        },
    )
    if not created:  # the same window again (after a failure, or a second full run)
        batch.status, batch.started_at, batch.finished_at = BatchStatus.STARTED, now, None
        batch.attempts, batch.error, batch.rows = batch.attempts + 1, "", 0
        batch.save(
            update_fields=["status", "started_at", "finished_at", "attempts", "error", "rows"]
        )
    return batch


def _scrubbed(table: Table, batches):
    """The batches with the table's free-text columns scrubbed of emails and phone numbers."""
    if not table.free_text:
        yield from batches
        return
    for batch in batches:
        yield scrub_batch(batch, table.free_text)


def _write(context, sink: Sink, table: Table, window: Window, batch_id: str, full: bool) -> int:
    """Write one window (or, `full`, everything) of `table` into the sink; rows written."""
    if full:
        sink.truncate(table=table)
        return sink.replace(
            table=table,
            delete_keys=[],
            batches=_scrubbed(table, table.rows(context, None)),
            batch_id=batch_id,
        )
    written = 0
    for number, keys in enumerate(_chunks(table.changed_keys(context, window), KEY_CHUNK)):
        written += sink.replace(
            table=table,
            delete_keys=keys,
            batches=_scrubbed(table, table.rows(context, keys)),
            batch_id=f"{batch_id}-k{number}",
        )
    if table.appended is not None:
        written += sink.replace(
            table=table,
            delete_keys=None,  # the sink deletes the keys of the appended rows
            batches=_scrubbed(table, table.appended(context, window)),
            batch_id=f"{batch_id}-a",
        )
    return written


def _chunks(keys, size: int) -> Iterator[list]:
    """`keys` (an Arrow array or any iterable) in lists of at most `size`."""
    if hasattr(keys, "to_pylist") and hasattr(keys, "slice"):
        for offset in range(0, len(keys), size):
            yield keys.slice(offset, size).to_pylist()
        return
    iterator = iter(keys)
    while chunk := list(islice(iterator, size)):
        yield chunk


# --- state ---------------------------------------------------------------------------------


def _state(workspace, table: Table) -> TableState:
    state, _ = TableState.objects.get_or_create(workspace=workspace, table=table.name)
    return state


def lag_seconds(workspace, high_water: int, *, now=None) -> float:
    """Seconds since the oldest change (change event or touch point) of `workspace` after
    `high_water` was made; 0 when there is none."""
    now = now or timezone.now()
    times = [
        model.objects.filter(workspace=workspace, seq__gt=high_water)
        .order_by("seq")
        .values_list("created_at", flat=True)
        .first()
        for model in (ChangeEvent, Interaction)
    ]
    oldest = min((t for t in times if t is not None), default=None)
    return max((now - oldest).total_seconds(), 0.0) if oldest else 0.0


def _record_idle(workspace, state: TableState) -> None:
    now = timezone.now()
    TableState.objects.filter(pk=state.pk).update(
        last_run_at=now,
        last_success_at=now,
        rows_last_run=0,
        last_error="",
        lag_seconds=lag_seconds(workspace, state.high_water, now=now),
    )


@transaction.atomic
def _record_success(workspace, table: Table, batch: ExportBatch, rows: int, total) -> None:
    """After the sink committed: the batch is committed and the mark moves, together."""
    now = timezone.now()
    ExportBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.COMMITTED, finished_at=now, rows=rows, error=""
    )
    values = {
        "high_water": batch.upto_seq,
        "last_run_at": now,
        "last_success_at": now,
        "rows_last_run": rows,
        "last_error": "",
        "lag_seconds": lag_seconds(workspace, batch.upto_seq, now=now),
    }
    if total is not None:
        values["rows_total"] = total
    TableState.objects.filter(workspace=workspace, table=table.name).update(**values)


def _record_failure(workspace, table: Table, batch: ExportBatch | None, message: str) -> None:
    now = timezone.now()
    logger.error(
        "warehouse export of %s, workspace %s failed: %s", table.name, workspace.pk, message
    )
    if batch is not None:
        ExportBatch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.FAILED, finished_at=now, error=message
        )
    state = _state(workspace, table)
    TableState.objects.filter(pk=state.pk).update(
        last_run_at=now,
        rows_last_run=0,
        last_error=message,
        lag_seconds=lag_seconds(workspace, state.high_water, now=now),
    )


def _message(error: BaseException) -> str:
    if isinstance(error, SinkError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def _as_sink_error(error: BaseException) -> SinkError:
    return error if isinstance(error, SinkError) else SinkError(_message(error))
