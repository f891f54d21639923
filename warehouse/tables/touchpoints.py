"""fact_interactions: one row per touch point of the customer history.

New touch points are read by their own `seq` (`appended`); later changes to one (a merge
moving it to the surviving contact, an erasure clearing its text, a delete) are change events
on "touchpoints.interaction" (`changed_keys`). Subject, body and `data` (free text) never
leave; contacts, accounts and users leave as pseudonyms.

On PostgreSQL the bulk reads (a full run, a window of new touch points) stream
`COPY (SELECT …) TO STDOUT` as CSV into Arrow's CSV reader, so ten million rows never sit in
Python objects; the pseudonym columns are mapped with vectorised take. Other databases (the
SQLite demo) read through the ORM in chunks of `ctx.batch_rows`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from django.db import DatabaseError, connection
from psycopg import pq

from touchpoints.channels import CHANNEL_GROUP
from touchpoints.models import Interaction
from workspaces.db.state import rls_sync

from ..registry import ExportContext, Table, Window, register_table
from .reading import (
    UTC_MICROS,
    changed_ids,
    chunked,
    id_chunks,
    is_postgres,
    pseudonym_array,
)

MODEL = "touchpoints.interaction"

# the columns read from the database, in order (ids not yet pseudonymised)
SOURCE_COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("id", pa.int64()),
    ("seq", pa.int64()),
    ("occurred_at", pa.timestamp("us")),
    ("channel", pa.string()),
    ("kind", pa.string()),
    ("direction", pa.string()),
    ("app", pa.string()),
    ("contact_id", pa.int64()),
    ("account_id", pa.int64()),
    ("actor_id", pa.int64()),
    ("source_type", pa.string()),
    ("source_id", pa.int64()),
    ("duration_seconds", pa.int64()),
    ("outcome", pa.string()),
)
# source types whose id would name a person's record: the key says it better (or nothing)
PERSONAL_SOURCES = ("contacts.contact",)
CSV_BLOCK_BYTES = 8 << 20


def schema() -> pa.Schema:
    return pa.schema(
        [
            ("interaction_id", pa.int64()),
            ("seq", pa.int64()),
            ("occurred_at", UTC_MICROS),
            ("channel", pa.string()),
            ("channel_group", pa.string()),
            ("kind", pa.string()),
            ("direction", pa.string()),
            ("app", pa.string()),
            ("contact_key", pa.string()),
            ("account_key", pa.string()),
            ("actor_key", pa.string()),
            ("source_type", pa.string()),
            ("source_id", pa.int64()),
            ("duration_seconds", pa.int64()),
            ("outcome", pa.string()),
        ]
    )


def changed_keys(ctx: ExportContext, window: Window) -> list[int]:
    """Ids of touch points moved (merge), changed (erasure) or deleted in the window."""
    return sorted(changed_ids(ctx, window, [MODEL])[MODEL])


def rows(ctx: ExportContext, keys: Sequence[int] | None) -> Iterator[pa.RecordBatch]:
    """The current rows of touch points `keys` (None: all of the workspace), in batches of at
    most `ctx.batch_rows`. Keys of deleted touch points yield nothing."""
    if keys is None:
        if is_postgres():
            yield from _copy_batches(ctx, where="")
        else:
            yield from _orm_batches(ctx, Interaction.objects.filter(workspace_id=ctx.workspace_id))
        return
    for chunk in id_chunks(keys):
        qs = Interaction.objects.filter(workspace_id=ctx.workspace_id, pk__in=chunk)
        yield from _orm_batches(ctx, qs)


def appended(ctx: ExportContext, window: Window) -> Iterator[pa.RecordBatch]:
    """Touch points recorded in the window (`after_seq < seq <= upto_seq`), in `seq` order."""
    if window.empty:
        return
    if is_postgres():
        yield from _copy_batches(
            ctx,
            where=f"AND seq > {int(window.after_seq)} AND seq <= {int(window.upto_seq)} "
            "ORDER BY seq",
        )
        return
    qs = Interaction.objects.filter(
        workspace_id=ctx.workspace_id, seq__gt=window.after_seq, seq__lte=window.upto_seq
    ).order_by("seq")
    yield from _orm_batches(ctx, qs)


# --- reading -------------------------------------------------------------------------------


def _orm_batches(ctx: ExportContext, qs) -> Iterator[pa.RecordBatch]:
    names = [name for name, _type in SOURCE_COLUMNS]
    values = qs.values_list(*names)
    if not qs.query.order_by:
        values = values.order_by()
    for chunk in chunked(values.iterator(chunk_size=min(ctx.batch_rows, 10_000)), ctx.batch_rows):
        columns = list(zip(*chunk, strict=True))
        arrays = []
        for (name, kind), column in zip(SOURCE_COLUMNS, columns, strict=True):
            if name == "occurred_at":
                arrays.append(pa.array(column, UTC_MICROS).view(pa.timestamp("us")))
            else:
                arrays.append(pa.array(column, kind))
        yield _output(ctx, pa.RecordBatch.from_arrays(arrays, names=names))


def _copy_blocks(statement: str) -> Iterator[bytearray]:
    """The output of `COPY … TO STDOUT` in blocks of whole rows (about CSV_BLOCK_BYTES each).

    Reads libpq's copy messages (one per row) with the fewest Python steps per row: 1.8 s a
    million rows, where psycopg's `Copy` object costs several calls a row and a reader thread
    (tried) tripled the time with its hand-offs. A caller that stops early cancels the COPY,
    so the connection stays usable. Raises DatabaseError when the COPY fails."""
    connection.ensure_connection()
    rls_sync(connection)  # libpq directly: Django's execute wrappers do not see this statement
    pgconn = connection.connection.pgconn
    pgconn.send_query(statement.encode())
    while pgconn.flush():
        pass
    result = pgconn.get_result()
    if result is None or result.status != pq.ExecStatus.COPY_OUT:
        message = result.error_message.decode(errors="replace") if result else "no result"
        _results_check(pgconn, quiet=True)
        raise DatabaseError(f"COPY of the touch points failed: {message}")
    get_copy_data = pgconn.get_copy_data
    block = bytearray()
    finished = False
    try:
        while True:
            size, data = get_copy_data(0)
            if size < 0:
                finished = True
                break
            block += data  # copied at once: keeping libpq's buffers alive doubles the time
            if len(block) >= CSV_BLOCK_BYTES:
                yield block
                block = bytearray()
        if block:
            yield block
    finally:
        if not finished:  # abandoned: stop the server, then read what is still in flight
            pgconn.get_cancel().cancel()
            while get_copy_data(0)[0] >= 0:
                pass
        _results_check(pgconn, quiet=not finished)


def _results_check(pgconn, *, quiet: bool) -> None:
    error = ""
    while (result := pgconn.get_result()) is not None:
        if result.status == pq.ExecStatus.FATAL_ERROR:
            error = result.error_message.decode(errors="replace")
    if error and not quiet:
        raise DatabaseError(f"COPY of the touch points failed: {error}")


def _copy_batches(ctx: ExportContext, *, where: str) -> Iterator[pa.RecordBatch]:
    """`where` is SQL built from integers only (the caller's seq bounds)."""
    table = connection.ops.quote_name(Interaction._meta.db_table)
    columns = ", ".join(
        "occurred_at AT TIME ZONE 'UTC'" if name == "occurred_at" else name
        for name, _type in SOURCE_COLUMNS
    )
    workspace_id = int(ctx.workspace_id)
    statement = (
        f"COPY (SELECT {columns} FROM {table} WHERE workspace_id = {workspace_id} {where}) "  # noqa: S608 - integers and our names only
        "TO STDOUT WITH (FORMAT csv)"
    )
    read_options = pa_csv.ReadOptions(column_names=[name for name, _type in SOURCE_COLUMNS])
    convert_options = pa_csv.ConvertOptions(
        column_types=dict(SOURCE_COLUMNS),
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    for block in _copy_blocks(statement):
        parsed = pa_csv.read_csv(
            pa.BufferReader(block), read_options=read_options, convert_options=convert_options
        )
        for batch in parsed.to_batches(max_chunksize=ctx.batch_rows):
            yield _output(ctx, batch)


def _channel_groups(channels: pa.Array) -> pa.Array:
    names = list(CHANNEL_GROUP)
    groups = pa.array([str(CHANNEL_GROUP[c]) for c in names], pa.string())
    return pc.take(groups, pc.index_in(channels, value_set=pa.array([str(c) for c in names])))


def _output(ctx: ExportContext, raw: pa.RecordBatch) -> pa.RecordBatch:
    """The exported row shape of a batch read in SOURCE_COLUMNS."""
    source_type = raw.column("source_type")
    personal = pc.is_in(source_type, value_set=pa.array(PERSONAL_SOURCES))
    source_id = pc.if_else(
        pc.fill_null(personal, False), pa.scalar(None, pa.int64()), raw.column("source_id")
    )
    arrays = [
        raw.column("id"),
        raw.column("seq"),
        raw.column("occurred_at").view(UTC_MICROS),
        raw.column("channel"),
        _channel_groups(raw.column("channel")),
        raw.column("kind"),
        raw.column("direction"),
        raw.column("app"),
        pseudonym_array(ctx, "contact", raw.column("contact_id")),
        pseudonym_array(ctx, "account", raw.column("account_id")),
        pseudonym_array(ctx, "user", raw.column("actor_id")),
        source_type,
        source_id,
        raw.column("duration_seconds"),
        raw.column("outcome"),
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=schema())


def register() -> None:
    register_table(
        Table(
            name="fact_interactions",
            key="interaction_id",
            schema=schema,
            changed_keys=changed_keys,
            rows=rows,
            appended=appended,
            partition="occurred_at",
            order=200,
            free_text=("outcome",),
        )
    )
