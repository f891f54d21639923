"""Reading back what the exporter wrote (DuckDB file, Parquet directory) in the tests."""

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq


def duckdb_keys(path: Path, table: str, key: str) -> list:
    """Every key of `table` in the DuckDB file (all workspaces), duplicates kept."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [row[0] for row in con.execute(f'SELECT "{key}" FROM "{table}"').fetchall()]
    finally:
        con.close()


def parquet_files(root: Path, table: str) -> list[Path]:
    return sorted((root / table).rglob("part-*.parquet")) if (root / table).exists() else []


def parquet_keys(root: Path, table: str, key: str) -> list:
    """Every key of `table` across its Parquet files (all workspaces), duplicates kept."""
    keys = []
    for path in parquet_files(root, table):
        keys += pq.ParquetFile(path).read(columns=[key]).column(0).to_pylist()
    return keys


def parquet_table(root: Path, table: str) -> pa.Table:
    return pa.concat_tables(pq.ParquetFile(p).read() for p in parquet_files(root, table))
