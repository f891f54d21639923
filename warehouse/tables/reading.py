"""What the table modules share: finding changed rows by sequence, pseudonymising id columns
and cutting rows into Arrow record batches.

Tables read inside the workspace's scope (the runner, and the tests, enter
`workspace_scope`), through the scoped managers, and also filter by the workspace's id.
Changes are found by sequence only (DESIGN.md §8): change events in the window
(`ChangeEvent.seq`) and touch points in the window (`Interaction.seq`), never `updated_at`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence

import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection

from touchpoints.models import Interaction
from workspaces.models import ChangeEvent

from ..pseudonyms import pseudonyms_cached
from ..registry import ExportContext, Window

IN_CHUNK = 5_000  # ids per `IN (...)` query
UTC_MICROS = pa.timestamp("us", tz="UTC")


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def changed_ids(ctx: ExportContext, window: Window, models: Sequence[str]) -> dict[str, set]:
    """{model label: ids} of the change events of `models` ("contacts.contact", …) in the
    window, whatever the action (created, updated, deleted, merged): a tombstone's id is in
    it too, so its row is deleted from the warehouse."""
    found: dict[str, set] = defaultdict(set)
    if window.empty:
        return found
    events = ChangeEvent.objects.filter(
        workspace_id=ctx.workspace_id,
        seq__gt=window.after_seq,
        seq__lte=window.upto_seq,
        model__in=list(models),
    ).values_list("model", "object_id")
    for model, object_id in events.iterator(chunk_size=10_000):
        found[model].add(object_id)
    return found


def interaction_sources(ctx: ExportContext, window: Window, source_type: str) -> set[int]:
    """The `source_id`s of touch points of `source_type` ("marketing.delivery") recorded in
    the window: a send, open or click changes its delivery without a change event."""
    if window.empty:
        return set()
    rows = Interaction.objects.filter(
        workspace_id=ctx.workspace_id,
        seq__gt=window.after_seq,
        seq__lte=window.upto_seq,
        source_type=source_type,
        source_id__isnull=False,
    ).values_list("source_id", flat=True)
    return set(rows.iterator(chunk_size=10_000))


def id_chunks(ids: Iterable, size: int = IN_CHUNK) -> Iterator[list]:
    """`ids` sorted, in lists of at most `size`."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def chunked(rows: Iterable, size: int) -> Iterator[list]:
    """Consecutive lists of at most `size` items of `rows`."""
    chunk: list = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def pseudonym_list(ctx: ExportContext, kind: str, ids: Sequence) -> list:
    """The pseudonyms of `ids` (None stays None), memoised for the run."""
    known = pseudonyms_cached(ctx.cache, ctx.secret, kind, ids)
    return [None if i is None else known[i] for i in ids]


def pseudonym_array(ctx: ExportContext, kind: str, ids: pa.Array) -> pa.Array:
    """A string array of the pseudonyms of an int64 id array (nulls stay null), hashing each
    distinct id once per run and mapping the column with vectorised take."""
    if len(ids) == 0:
        return pa.array([], pa.string())
    distinct = pc.unique(ids.drop_null()) if ids.null_count else pc.unique(ids)
    distinct_ids = distinct.to_pylist()
    known = pseudonyms_cached(ctx.cache, ctx.secret, kind, distinct_ids, reverse=False)
    keys = pa.array([known[i] for i in distinct_ids], pa.string())
    return pc.take(keys, pc.index_in(ids, value_set=distinct))


def ids_for_keys(
    ctx: ExportContext, kind: str, keys: Iterable[str], all_ids: Callable[[], Iterable[int]]
) -> list[int]:
    """The source ids behind pseudonym `keys` of `kind`. Keys this run has hashed (in
    `changed_keys`) are looked up; for others every id of `all_ids()` is hashed once until
    all are found. Keys that match no id (a deleted record) are left out."""
    reverse = ctx.cache.setdefault(("pseudonym_ids", kind), {})
    wanted = set(keys)
    if not wanted <= reverse.keys() and not ctx.cache.get(("pseudonym_all", kind)):
        ctx.cache[("pseudonym_all", kind)] = True
        for chunk in chunked(all_ids(), IN_CHUNK):
            pseudonyms_cached(ctx.cache, ctx.secret, kind, chunk)
    return sorted(reverse[k] for k in wanted if k in reverse)


def record_batch(schema: pa.Schema, columns: dict) -> pa.RecordBatch:
    """One record batch of `schema` from {column: list or array}."""
    arrays = [pa.array(columns[f.name], f.type) for f in schema]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def slices(batch: pa.RecordBatch, size: int) -> Iterator[pa.RecordBatch]:
    """`batch` in record batches of at most `size` rows (zero-copy slices)."""
    for start in range(0, batch.num_rows, size):
        yield batch.slice(start, size)
