"""The DuckDB sink: one database file, one table per warehouse table, `workspace_key VARCHAR`
as its first column. A table is created from the Arrow schema on first use; a column the
export adds later is added to it. Rows arrive as Arrow record batches and go in with
`INSERT … BY NAME SELECT … FROM <registered batch>` (no per-row Python); deletions join a
registered Arrow array of keys. Everything between `open()` (or the last `commit()`) and
`commit()` is one transaction: nothing is visible before it and a failure leaves nothing."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings

from ..registry import Sink, SinkError, Table
from . import key_array


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class DuckDBSink(Sink):
    """Writes into the DuckDB file at `path` (its directory is created). Raises SinkError when
    the file cannot be opened (another process holds it, no permission, disk full)."""

    commit_every_rows = 1_000_000  # see _checkpoint

    def __init__(self, path: Path, *, lock_wait: float = 120.0):
        self.path = Path(path)
        self.lock_wait = lock_wait
        self.con = None
        self.workspace_key = ""
        self.in_transaction = False
        self._columns: dict[str, list[str]] = {}
        self._pending = 0  # rows inserted since the transaction began

    def __repr__(self):
        return f"DuckDBSink({self.path})"

    # -- lifecycle ----------------------------------------------------------------------
    # DuckDB admits one writing process per file: the file is opened at a table's first
    # write and closed at its commit, so exports of several workspaces (in several worker
    # processes) take turns, each waiting up to `lock_wait` seconds for the file.
    def open(self, *, workspace_id: int, workspace_key: str) -> None:
        self.workspace_key = workspace_key
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise SinkError(f"The DuckDB file {self.path} cannot be created: {error}") from error

    def _connect(self) -> None:
        deadline = time.monotonic() + self.lock_wait
        while True:
            try:
                self.con = duckdb.connect(
                    str(self.path),
                    # a full run is one transaction: DuckDB writes its row groups to the file
                    # as they fill and, with a limit, spills the rest instead of holding the
                    # table in memory (without one it takes up to 80 % of the machine's RAM)
                    config={
                        "memory_limit": settings.WAREHOUSE_DUCKDB_MEMORY_LIMIT,
                        "temp_directory": f"{self.path}.tmp",
                    },
                )
                self._columns.clear()
                return
            except (duckdb.Error, OSError) as error:
                held = "lock" in str(error).lower()
                if not held or time.monotonic() >= deadline:
                    raise SinkError(
                        f"The DuckDB file {self.path} cannot be opened "
                        f"({'another process holds it' if held else 'is it a DuckDB file, writable?'}): "
                        f"{error}"
                    ) from error
                time.sleep(0.5)

    def _begin(self) -> None:
        if self.con is None:
            self._connect()
        if not self.in_transaction:
            self.con.begin()
            self.in_transaction = True
            self._pending = 0

    def commit(self) -> None:
        """Commit what was written since the last commit and let other processes at the
        file."""
        if self.con is None:
            return
        try:
            if self.in_transaction:
                self.con.commit()
        except (duckdb.Error, OSError) as error:
            raise SinkError(f"DuckDB {self.path} could not commit: {error}") from error
        finally:
            self.in_transaction = False
            self.close()

    def close(self) -> None:
        if self.con is None:
            return
        try:
            if self.in_transaction:
                self.con.rollback()
        except duckdb.Error:
            pass  # the connection goes anyway
        finally:
            self.in_transaction = False
            self.con.close()
            self.con = None

    # -- tables -------------------------------------------------------------------------
    def _ensure_table(self, table: Table) -> list[str]:
        """Create `table` from its Arrow schema (workspace_key first) or add the columns it
        lacks; returns its columns."""
        if table.name in self._columns:
            return self._columns[table.name]
        schema = table.schema()
        shape = pa.schema([pa.field("workspace_key", pa.string()), *schema])
        self.con.register("_wh_shape", shape.empty_table())
        try:
            name = _quote(table.name)
            # table names come from the registry (code), quoted
            self.con.execute(f"CREATE TABLE IF NOT EXISTS {name} AS SELECT * FROM _wh_shape")  # noqa: S608
            existing = [row[0] for row in self.con.execute(f"DESCRIBE {name}").fetchall()]
            if missing := [f for f in shape.names if f not in existing]:
                described = self.con.execute("DESCRIBE _wh_shape").fetchall()
                types = {row[0]: row[1] for row in described}
                for column in missing:
                    self.con.execute(
                        f"ALTER TABLE {name} ADD COLUMN {_quote(column)} {types[column]}"
                    )
                existing += missing
        finally:
            self.con.unregister("_wh_shape")
        self._columns[table.name] = existing
        return existing

    def _delete(self, table: Table, keys: pa.Array) -> None:
        """Delete this workspace's rows of `keys`. The keys' range is given too, so DuckDB
        skips the row groups outside it (new keys of appended rows are above the old ones)."""
        if len(keys) == 0:
            return
        bounds = pc.min_max(keys)
        key = _quote(table.key)
        self.con.register("_wh_keys", pa.table({"k": keys}))
        try:
            self.con.execute(
                f"DELETE FROM {_quote(table.name)} WHERE workspace_key = ? "  # noqa: S608
                f"AND {key} BETWEEN ? AND ? AND {key} IN (SELECT k FROM _wh_keys)",
                [self.workspace_key, bounds["min"].as_py(), bounds["max"].as_py()],
            )
        finally:
            self.con.unregister("_wh_keys")

    def _insert(self, table: Table, batch: pa.RecordBatch) -> None:
        self.con.register("_wh_batch", pa.Table.from_batches([batch]))
        try:
            self.con.execute(
                f"INSERT INTO {_quote(table.name)} BY NAME "  # noqa: S608
                "SELECT ?::VARCHAR AS workspace_key, * FROM _wh_batch",
                [self.workspace_key],
            )
        finally:
            self.con.unregister("_wh_batch")

    def replace(
        self,
        *,
        table: Table,
        delete_keys: pa.Array | Sequence | None,
        batches: Iterable[pa.RecordBatch],
        batch_id: str,
    ) -> int:
        """Delete `delete_keys` of this workspace from `table`, then insert `batches`. With
        `delete_keys=None` the keys of each batch are deleted before it is inserted (the
        appended rows of a window). Returns the rows inserted."""
        written = 0
        try:
            self._begin()
            self._ensure_table(table)
            if delete_keys is not None:
                self._delete(table, key_array(delete_keys, table))
            for batch in batches:
                if batch.num_rows == 0:
                    continue
                if delete_keys is None:
                    self._delete(table, batch.column(table.key))
                self._insert(table, batch)
                written += batch.num_rows
                self._pending += batch.num_rows
                if self._pending >= self.commit_every_rows:
                    self._checkpoint()
        except (duckdb.Error, OSError) as error:
            raise SinkError(f"DuckDB {self.path}, table {table.name}: {error}") from error
        return written

    def _checkpoint(self) -> None:
        """Commit the rows inserted so far and go on in a new transaction. DuckDB holds a
        transaction's inserts in memory (3 GB for ten million touch points), so a large run is
        cut into transactions of `commit_every_rows`. Safe because every write is redone
        whole: a run killed between two cuts leaves its batch unfinished, and the redo deletes
        the same keys (or truncates, for a full run) before writing them again."""
        self.con.commit()
        self.con.begin()
        self._pending = 0

    def truncate(self, *, table: Table) -> None:
        try:
            self._begin()
            self._ensure_table(table)
            self.con.execute(
                f"DELETE FROM {_quote(table.name)} WHERE workspace_key = ?",  # noqa: S608
                [self.workspace_key],
            )
        except (duckdb.Error, OSError) as error:
            raise SinkError(f"DuckDB {self.path}, table {table.name}: {error}") from error

    def count(self, *, table: Table) -> int | None:
        """The rows of this workspace in `table` as the open transaction sees them."""
        try:
            self._begin()
            self._ensure_table(table)
            row = self.con.execute(
                f"SELECT count(*) FROM {_quote(table.name)} WHERE workspace_key = ?",  # noqa: S608
                [self.workspace_key],
            ).fetchone()
        except (duckdb.Error, OSError) as error:
            raise SinkError(f"DuckDB {self.path}, table {table.name}: {error}") from error
        return row[0]
