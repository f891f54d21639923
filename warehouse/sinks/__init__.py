"""The sinks of the warehouse export (`warehouse.registry.Sink`), chosen by WAREHOUSE_URL:

- `duckdb:///abs/path/file.duckdb` (default: var/warehouse.duckdb): one DuckDB file, one table
  per warehouse table with a `workspace_key` column first; a run's rows are one transaction.
- `parquet:///abs/dir` (`parquet://` alone: var/warehouse/parquet): Parquet files under
  `<dir>/<table>/workspace=<key>/[date=<YYYY-MM-DD>/]part-<batch>.parquet`.

A relative path (`duckdb://var/x.duckdb`) is read from the project directory."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    import pyarrow as pa

    from ..registry import Table

SCHEMES = ("duckdb", "parquet")


def sink_path(url: str) -> tuple[str, Path]:
    """(scheme, absolute path) of a WAREHOUSE_URL. Raises ValueError for another scheme."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in SCHEMES:
        raise ValueError(
            f"WAREHOUSE_URL {url!r} is not understood: use duckdb:///path/file.duckdb "
            "or parquet:///path/dir"
        )
    base = Path(settings.BASE_DIR)
    if not rest:
        default = "var/warehouse.duckdb" if scheme == "duckdb" else "var/warehouse/parquet"
        return scheme, base / default
    path = Path(rest)
    return scheme, path if path.is_absolute() else base / path


def sink_from_url(url: str):
    """A new, unopened `Sink` for a WAREHOUSE_URL (see the module). Raises ValueError for a
    URL of another scheme."""
    scheme, path = sink_path(url)
    if scheme == "duckdb":
        from .duckdb import DuckDBSink

        return DuckDBSink(path)
    from .parquet import ParquetSink

    return ParquetSink(path)


def key_array(keys, table: Table) -> pa.Array:
    """`keys` (an Arrow array or any sequence) as an Arrow array of `table`'s key type."""
    import pyarrow as pa

    key_type = table.schema().field(table.key).type
    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks()
    if isinstance(keys, pa.Array):
        return keys if keys.type == key_type else keys.cast(key_type)
    return pa.array(list(keys), type=key_type)
