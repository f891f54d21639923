"""Driving the warehouse tables directly: a context, windows of the workspace's sequence and
the rows of a table as one Arrow table (no runner, no sink)."""

import pyarrow as pa

from warehouse.registry import TABLES, ExportContext, Window
from workspaces.models import ChangeSequence

SECRET = b"test-workspace-secret"


def ctx_for(workspace, batch_rows: int = 50_000) -> ExportContext:
    return ExportContext(workspace_id=workspace.pk, secret=SECRET, batch_rows=batch_rows)


def seq_now(workspace) -> int:
    """The last sequence number handed out in the workspace (0 before the first)."""
    row = ChangeSequence.objects.filter(workspace_id=workspace.pk).first()
    return row.last if row else 0


def window_since(workspace, after_seq: int) -> Window:
    return Window(after_seq=after_seq, upto_seq=seq_now(workspace))


def as_table(name: str, batches) -> pa.Table:
    """The batches of table `name` as one Arrow table (checked against the table's schema)."""
    schema = TABLES[name].schema()
    batches = list(batches)
    for batch in batches:
        assert batch.schema == schema, (name, batch.schema, schema)
    return pa.Table.from_batches(batches, schema=schema)


def rows_of(name: str, ctx: ExportContext, keys=None) -> pa.Table:
    return as_table(name, TABLES[name].rows(ctx, keys))


def appended_of(name: str, ctx: ExportContext, window: Window) -> pa.Table:
    return as_table(name, TABLES[name].appended(ctx, window))


def changed(name: str, ctx: ExportContext, window: Window) -> list:
    return list(TABLES[name].changed_keys(ctx, window))


def refreshed(name: str, ctx: ExportContext, window: Window) -> tuple[list, pa.Table]:
    """What an incremental run does for one window: the changed keys and their rows."""
    keys = changed(name, ctx, window)
    return keys, rows_of(name, ctx, keys)


def column(table: pa.Table, name: str) -> list:
    return table.column(name).to_pylist()


def every_value_as_text(table: pa.Table) -> str:
    """Every cell of every column (lists flattened), as one text to search."""
    parts = []
    for name in table.column_names:
        for value in table.column(name).to_pylist():
            parts.append(str(value))  # dates as ISO text, as a grep of a file would see
    return "\n".join(parts)
