"""The Parquet sink: files any warehouse loads (DuckDB, ClickHouse, BigQuery, Snowflake, Spark).

Layout: `<dir>/<table>/workspace=<workspace_key>/date=<YYYY-MM-DD>/part-<batch>[-<n>].parquet`
for tables with a `partition` column (the day of that column, UTC;
`date=__HIVE_DEFAULT_PARTITION__` for rows without one), and
`<dir>/<table>/workspace=<workspace_key>/part-<batch>[-<n>].parquet` for the others. Every
file holds `workspace_key` and the table's columns.

Files are written under a temporary name (a dot file) and renamed, so a reader never sees half
a file. `replace()` first removes what a killed attempt of the same batch left (its files by
name), then the rows of the keys to delete (a file holding any of them is rewritten without
them, found by reading only the key column, skipped by its key range where the statistics
allow), then writes the batches streamed, one writer per partition. With `delete_keys=None`
(appended rows) the keys just written are removed from every other file afterwards. So no key
appears twice across the files of a workspace and table once a `replace()` has returned; a
run killed in between leaves its batch `started`, and the redo restores that."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..registry import Sink, SinkError, Table
from . import key_array

NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
MAX_OPEN_WRITERS = 32  # partitions written at once by one replace(); the oldest is closed


def _atomic_write(table: pa.Table, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class _Writers:
    """The open ParquetWriters of one replace(), one per partition directory, each writing a
    temporary file renamed to `part-<batch_id>[-<n>].parquet` when closed."""

    def __init__(self, batch_id: str, schema: pa.Schema):
        self.batch_id = batch_id
        self.schema = schema
        self.open: OrderedDict[Path, tuple[pq.ParquetWriter, Path, Path]] = OrderedDict()
        self.counts: dict[Path, int] = {}
        self.written: list[Path] = []

    def write(self, directory: Path, batch: pa.RecordBatch) -> None:
        if directory not in self.open:
            if len(self.open) >= MAX_OPEN_WRITERS:
                self._close(next(iter(self.open)))
            n = self.counts.get(directory, 0)
            self.counts[directory] = n + 1
            name = f"part-{self.batch_id}{f'-{n}' if n else ''}.parquet"
            directory.mkdir(parents=True, exist_ok=True)
            final = directory / name
            tmp = directory / f".{name}.{uuid.uuid4().hex}.tmp"
            self.open[directory] = (pq.ParquetWriter(tmp, self.schema), tmp, final)
        else:
            self.open.move_to_end(directory)
        self.open[directory][0].write_batch(batch)

    def _close(self, directory: Path) -> None:
        writer, tmp, final = self.open.pop(directory)
        writer.close()
        os.replace(tmp, final)
        self.written.append(final)

    def close(self) -> list[Path]:
        """Close (rename) every open file; returns every file written."""
        for directory in list(self.open):
            self._close(directory)
        return self.written

    def abort(self) -> None:
        for writer, tmp, _final in self.open.values():
            try:
                writer.close()
            finally:
                tmp.unlink(missing_ok=True)
        self.open.clear()


class ParquetSink(Sink):
    """Writes Parquet files under the directory `root` (created). Raises SinkError when it
    cannot be written (permissions, disk full)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.workspace_key = ""

    def __repr__(self):
        return f"ParquetSink({self.root})"

    def open(self, *, workspace_id: int, workspace_key: str) -> None:
        self.workspace_key = workspace_key
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe = self.root / f".probe-{uuid.uuid4().hex}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as error:
            raise SinkError(
                f"The Parquet directory {self.root} is not writable: {error}"
            ) from error

    def commit(self) -> None:
        """Nothing to do: every file is in place (renamed) when replace() returns."""

    def close(self) -> None:
        """Nothing to do: replace() closes its files."""

    def base(self, table: Table) -> Path:
        """The directory of this workspace's files of `table`."""
        return self.root / table.name / f"workspace={self.workspace_key}"

    def files(self, table: Table) -> list[Path]:
        """This workspace's Parquet files of `table` (temporary files excluded)."""
        base = self.base(table)
        return sorted(base.rglob("part-*.parquet")) if base.exists() else []

    def file_schema(self, table: Table) -> pa.Schema:
        return pa.schema([pa.field("workspace_key", pa.string()), *table.schema()])

    # -- writing --------------------------------------------------------------------------
    def replace(
        self,
        *,
        table: Table,
        delete_keys: pa.Array | Sequence | None,
        batches: Iterable[pa.RecordBatch],
        batch_id: str,
    ) -> int:
        """Delete `delete_keys` of this workspace from `table`'s files, then write `batches`
        as `part-<batch_id>[-<n>].parquet` files. With `delete_keys=None` the keys written
        are removed from every other file afterwards (appended rows). Returns rows written."""
        writers = _Writers(batch_id, self.file_schema(table))
        try:
            self._remove_batch_files(table, batch_id)
            if delete_keys is not None:
                self._purge(table, key_array(delete_keys, table), keep=set())
            others = bool(self.files(table)) if delete_keys is None else False
            written, keys = 0, []
            for batch in batches:
                if batch.num_rows == 0:
                    continue
                batch = self._with_workspace(batch, writers.schema)
                for directory, part in self._partitions(table, batch):
                    writers.write(directory, part)
                if others:
                    keys.append(batch.column(table.key))
                written += batch.num_rows
            new_files = set(writers.close())
            if keys:
                self._purge(table, pa.concat_arrays(keys), keep=new_files)
        except (OSError, pa.ArrowException) as error:
            writers.abort()
            raise SinkError(f"Parquet {self.root}, table {table.name}: {error}") from error
        except BaseException:
            writers.abort()
            raise
        return written

    def truncate(self, *, table: Table) -> None:
        try:
            if self.base(table).exists():
                shutil.rmtree(self.base(table))
        except OSError as error:
            raise SinkError(f"Parquet {self.root}, table {table.name}: {error}") from error

    def count(self, *, table: Table) -> int | None:
        """The rows of this workspace in `table` (from the files' metadata)."""
        try:
            return sum(pq.ParquetFile(path).metadata.num_rows for path in self.files(table))
        except (OSError, pa.ArrowException) as error:
            raise SinkError(f"Parquet {self.root}, table {table.name}: {error}") from error

    # -- helpers --------------------------------------------------------------------------
    def _with_workspace(self, batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
        if batch.schema != schema.remove(0):
            batch = pa.Table.from_batches([batch]).cast(schema.remove(0)).combine_chunks()
            batch = batch.to_batches()[0]
        workspace = pa.repeat(pa.scalar(self.workspace_key, pa.string()), batch.num_rows)
        return pa.RecordBatch.from_arrays([workspace, *batch.columns], schema=schema)

    def _partitions(self, table: Table, batch: pa.RecordBatch):
        """(directory, rows) per partition of `batch`."""
        base = self.base(table)
        if not table.partition:
            yield base, batch
            return
        column = batch.column(table.partition)
        days = column if pa.types.is_date(column.type) else pc.cast(column, pa.date32())
        for day in pc.unique(days).to_pylist():
            if day is None:
                yield base / f"date={NULL_PARTITION}", batch.filter(pc.is_null(days))
            else:
                mask = pc.equal(days, pa.scalar(day, days.type))
                yield base / f"date={day.isoformat()}", batch.filter(mask)

    def _remove_batch_files(self, table: Table, batch_id: str) -> None:
        """Remove the files a killed attempt of this batch left (a redo writes them anew)."""
        own = re.compile(rf"part-{re.escape(batch_id)}(-\d+)?\.parquet")
        for path in self.files(table):
            if own.fullmatch(path.name):
                path.unlink()
        temporary = re.compile(rf"\.part-{re.escape(batch_id)}(-\d+)?\.parquet\.\w+\.tmp")
        base = self.base(table)
        for path in base.rglob(".part-*.tmp") if base.exists() else ():
            if temporary.fullmatch(path.name):
                path.unlink(missing_ok=True)  # left by a killed writer

    def _purge(self, table: Table, keys: pa.Array, *, keep: set[Path]) -> None:
        """Rewrite every file of this workspace's `table` (but `keep`) without `keys`."""
        if len(keys) == 0:
            return
        keys = pc.unique(keys)
        bounds = pc.min_max(keys)
        low, high = bounds["min"].as_py(), bounds["max"].as_py()
        for path in self.files(table):
            if path in keep:
                continue
            parquet = pq.ParquetFile(path)
            if _outside(parquet, table.key, low, high):
                continue
            mask = pc.is_in(parquet.read(columns=[table.key]).column(0), value_set=keys)
            if not pc.any(mask).as_py():
                continue
            rest = parquet.read().filter(pc.invert(mask))
            if rest.num_rows:
                _atomic_write(rest, path)
            else:
                path.unlink()


def _outside(parquet: pq.ParquetFile, column: str, low, high) -> bool:
    """Whether the file's statistics prove no value of `column` lies in [low, high]."""
    metadata = parquet.metadata
    try:
        paths = [metadata.schema.column(i).path for i in range(metadata.num_columns)]
        index = paths.index(column)
        for group in range(metadata.num_row_groups):
            stats = metadata.row_group(group).column(index).statistics
            if stats is None or not stats.has_min_max:
                return False
            if not (stats.max < low or stats.min > high):
                return False
    except (TypeError, ValueError, IndexError):
        return False  # statistics of another type: read the keys
    return True
