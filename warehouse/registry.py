"""The warehouse's tables and the contract between the exporter and the sinks.

A `Table` describes one warehouse table (a fact or a dimension) and how to read its rows from
the CRM; every app's tables live in `warehouse/tables/<app>.py` and register here with
`register_table` (called from `warehouse.registration`). A `Sink` writes rows somewhere (DuckDB,
Parquet); the runner (`warehouse.services.export`) moves each table of a workspace through one
`Window` of the workspace's sequence at a time.

The sequence: change events (`workspaces.ChangeEvent.seq`) and touch points
(`touchpoints.Interaction.seq`) draw from one per-workspace counter, so one window
`(after_seq, upto_seq]` covers both. Nothing is ever found by `updated_at` (DESIGN.md §8).

Upsert by key: for a window, the runner asks the table which keys changed (`changed_keys`),
deletes those keys from the sink and writes the table's current rows for them (`rows`): a key
that no longer has a row is gone from the warehouse (a delete, a merge's loser, an erasure
that removes a row). Rows appended in the window (`appended`, the fast path for append-only
facts) are written after deleting their keys too, so rerunning a window never duplicates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pyarrow is imported lazily: only export runs need it
    import pyarrow as pa


class SinkError(Exception):
    """The sink cannot take the rows (unreachable, full, unwritable). The run fails with this
    message and no high-water mark moves."""


@dataclass(frozen=True)
class Window:
    """Sequence numbers `after_seq < seq <= upto_seq` of one workspace."""

    after_seq: int
    upto_seq: int

    @property
    def empty(self) -> bool:
        return self.upto_seq <= self.after_seq


@dataclass
class ExportContext:
    """What a table reads with: the workspace (id), its pseudonym secret (bytes, never exported)
    and the size of the Arrow record batches to yield (rows)."""

    workspace_id: int
    secret: bytes
    batch_rows: int = 50_000
    cache: dict = field(default_factory=dict)  # per-run memo (e.g. pseudonyms of contact ids)


@dataclass(frozen=True)
class Table:
    """One warehouse table.

    - `name`: the warehouse table ("fact_interactions", "dim_contact").
    - `key`: the column that identifies a row within a workspace (int64 source id, or the
      pseudonymised string key for people). Every table also gets a `workspace_key` column
      from the sink (the workspace's pseudonym), so one warehouse can hold many workspaces.
    - `schema`: a callable returning the `pyarrow.Schema` of the rows (the key included).
    - `partition`: a date or timestamp column whose day partitions Parquet files
      (`date=YYYY-MM-DD`); None for tables written as one partition per workspace.
    - `changed_keys(ctx, window)`: the keys whose rows may have changed (created, updated,
      deleted, merged, erased) in the window, read from the change log and/or touch points.
    - `rows(ctx, keys)`: the current rows for `keys` (None: every row, for a full run), as
      Arrow record batches of at most `ctx.batch_rows` rows; keys without a row are deleted.
    - `appended(ctx, window)`: optional fast path for append-only facts: the rows added in
      the window, streamed in sequence order (e.g. touch points by `seq`).
    - `free_text`: string (or list of string) columns typed by people, scrubbed of email
      addresses and phone numbers by the runner.
    """

    name: str
    key: str
    schema: object  # Callable[[], pa.Schema]
    changed_keys: object  # Callable[[ExportContext, Window], Iterable]
    rows: object  # Callable[[ExportContext, Sequence | None], Iterator[pa.RecordBatch]]
    partition: str | None = None
    appended: object | None = None  # Callable[[ExportContext, Window], Iterator[pa.RecordBatch]]
    order: int = 100  # dimensions before facts (lower first)
    # columns whose values people type (a city, a tag, an outcome, a product reference), not
    # codes: anything in them that looks like an email address or a phone number is removed
    # before it leaves (warehouse.pseudonyms.scrub_batch)
    free_text: tuple[str, ...] = ()


class Sink:
    """Where rows go. One sink instance serves one run of one workspace:
    `open()` → per table `replace(...)` (and `truncate` for a full run) → `commit()`;
    `close()` always. Every method raises SinkError for a target that cannot be written.

    `replace` deletes the rows of `delete_keys` of that workspace and table, then writes
    `batches`; with a sink that has transactions (DuckDB) nothing is visible before
    `commit()`. `batch_id` names the work (the same id when a killed batch is redone), so a
    file sink can make a redone batch overwrite what the killed one left."""

    def open(self, *, workspace_id: int, workspace_key: str) -> None:
        raise NotImplementedError

    def replace(
        self,
        *,
        table: Table,
        delete_keys: pa.Array | Sequence,
        batches: Iterable[pa.RecordBatch],
        batch_id: str,
    ) -> int:
        """Returns the number of rows written."""
        raise NotImplementedError

    def truncate(self, *, table: Table) -> None:
        """Remove every row of the workspace from `table` (a full run rebuilds)."""
        raise NotImplementedError

    def commit(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


TABLES: dict[str, Table] = {}


def register_table(table: Table) -> None:
    """Add a warehouse table. Raises ValueError for a name registered before."""
    if table.name in TABLES:
        raise ValueError(f"warehouse table {table.name!r} is registered already")
    TABLES[table.name] = table


def tables() -> list[Table]:
    """Every registered table, dimensions first (by `order`, then name)."""
    return sorted(TABLES.values(), key=lambda t: (t.order, t.name))
