"""The export runner into DuckDB and Parquet with two test tables: row counts, a rerun changes
nothing, new and changed rows are picked up, deletes reach the warehouse, a run with nothing new
writes nothing, a full run rebuilds."""

import duckdb
import pytest

from contacts.services.contacts import contact_delete, contact_update
from tests.factories import WorkspaceFactory
from tests.warehouse.export_fixtures import *  # noqa: F403
from tests.warehouse.warehouse_reading import (
    duckdb_keys,
    parquet_files,
    parquet_keys,
    parquet_table,
)
from warehouse.models import BatchStatus, ExportBatch, TableState
from warehouse.services.export import context_for, export_workspace, workspace_key_for
from warehouse.sinks import sink_from_url
from warehouse.sinks.duckdb import DuckDBSink
from warehouse.sinks.parquet import ParquetSink
from workspaces.scoping import workspace_scope

from .seeding import seed

pytestmark = pytest.mark.django_db


def keys_of(kind, path, table, key):
    return duckdb_keys(path, table, key) if kind == "duckdb" else parquet_keys(path, table, key)


@pytest.fixture(params=["duckdb", "parquet"])
def target(request, settings, tmp_path):
    """(kind, path) of the sink the test writes, set as WAREHOUSE_URL."""
    path = tmp_path / ("wh.duckdb" if request.param == "duckdb" else "parquet")
    settings.WAREHOUSE_URL = f"{request.param}://{path}"
    return request.param, path


def test_sink_from_url_chooses_by_scheme(tmp_path, settings):
    assert isinstance(sink_from_url(f"duckdb://{tmp_path}/x.duckdb"), DuckDBSink)
    sink = sink_from_url(f"parquet://{tmp_path}/p")
    assert isinstance(sink, ParquetSink) and sink.root == tmp_path / "p"
    assert sink_from_url("parquet://").root == settings.BASE_DIR / "var/warehouse/parquet"
    assert sink_from_url("duckdb://").path == settings.BASE_DIR / "var/warehouse.duckdb"
    with pytest.raises(ValueError, match="WAREHOUSE_URL"):
        sink_from_url("mysql://x")


def test_counts_rerun_and_incremental(workspace, owner, test_tables, target):
    kind, path = target
    contacts, touches = seed(workspace, owner, contacts=5, touches_each=2)

    result = export_workspace(workspace)
    assert dict(result) == {"t_contacts": 5, "t_touchpoints": 10}
    assert sorted(keys_of(kind, path, "t_contacts", "contact_id")) == sorted(c.pk for c in contacts)
    assert sorted(keys_of(kind, path, "t_touchpoints", "interaction_id")) == sorted(
        t.pk for t in touches
    )
    with workspace_scope(workspace):
        states = {s.table: s for s in TableState.objects.all()}
        assert states["t_contacts"].high_water == result.upto_seq > 0
        assert states["t_contacts"].rows_total == 5 and states["t_touchpoints"].rows_total == 10
        assert set(ExportBatch.objects.values_list("status", flat=True)) == {BatchStatus.COMMITTED}

    # A rerun with nothing new: no rows, the same keys.
    assert dict(export_workspace(workspace)) == {"t_contacts": 0, "t_touchpoints": 0}
    assert len(keys_of(kind, path, "t_contacts", "contact_id")) == 5
    assert len(keys_of(kind, path, "t_touchpoints", "interaction_id")) == 10

    # New rows, a change and a delete (its touch points cascade) are picked up.
    more, more_touches = seed(workspace, owner, contacts=2, touches_each=1, start=10)
    with workspace_scope(workspace):
        contact_update(workspace=workspace, actor=owner, contact=contacts[0], city="Bremen")
        contact_delete(workspace=workspace, actor=owner, contact=contacts[1])
    result = export_workspace(workspace)
    assert result["t_contacts"] == 3  # two new, one changed; the deleted one is gone
    keys = keys_of(kind, path, "t_contacts", "contact_id")
    assert sorted(keys) == sorted(
        [c.pk for c in contacts if c != contacts[1]] + [c.pk for c in more]
    )
    touch_keys = keys_of(kind, path, "t_touchpoints", "interaction_id")
    expected = [t.pk for t in touches if t.contact_id != contacts[1].pk] + [
        t.pk for t in more_touches
    ]
    assert sorted(touch_keys) == sorted(expected)
    if kind == "duckdb":
        con = duckdb.connect(str(path), read_only=True)
        city = con.execute(
            "SELECT city FROM t_contacts WHERE contact_id = ?", [contacts[0].pk]
        ).fetchone()[0]
        con.close()
    else:
        rows = parquet_table(path, "t_contacts").to_pylist()
        city = next(r["city"] for r in rows if r["contact_id"] == contacts[0].pk)
    assert city == "Bremen"


def test_two_workspaces_share_the_warehouse_apart(workspace, owner, test_tables, target):
    kind, path = target
    seed(workspace, owner, contacts=3, touches_each=1)
    other = WorkspaceFactory(slug="globex")
    from tests.factories import MembershipFactory

    seed(other, MembershipFactory(workspace=other).user, contacts=2, touches_each=1)
    export_workspace(workspace)
    export_workspace(other)
    export_workspace(workspace, full=True)  # rebuilding one leaves the other alone
    assert len(keys_of(kind, path, "t_contacts", "contact_id")) == 5
    keys = {workspace_key_for(context_for(workspace)), workspace_key_for(context_for(other))}
    assert len(keys) == 2
    if kind == "duckdb":
        con = duckdb.connect(str(path), read_only=True)
        found = {
            r[0] for r in con.execute("SELECT DISTINCT workspace_key FROM t_contacts").fetchall()
        }
        con.close()
    else:
        found = {
            p.parent.name.removeprefix("workspace=") for p in parquet_files(path, "t_contacts")
        }
    assert found == keys


def test_full_run_rebuilds(workspace, owner, test_tables, target):
    kind, path = target
    seed(workspace, owner, contacts=4, touches_each=1)
    export_workspace(workspace)
    result = export_workspace(workspace, full=True)
    assert dict(result) == {"t_contacts": 4, "t_touchpoints": 4}
    assert len(keys_of(kind, path, "t_contacts", "contact_id")) == 4
    assert len(keys_of(kind, path, "t_touchpoints", "interaction_id")) == 4


def test_parquet_layout_partitions_by_workspace_and_day(workspace, owner, test_tables, parquet_url):
    seed(workspace, owner, contacts=2, touches_each=2)
    export_workspace(workspace)
    wk = workspace_key_for(context_for(workspace))
    touch = parquet_files(parquet_url, "t_touchpoints")
    assert touch and all(p.parent.name.startswith("date=") for p in touch)
    assert all(p.parent.parent.name == f"workspace={wk}" for p in touch)
    contacts = parquet_files(parquet_url, "t_contacts")
    assert [p.parent.name for p in contacts] == [f"workspace={wk}"]
    assert not list(parquet_url.rglob("*.tmp"))  # no temporary file left behind
    table = parquet_table(parquet_url, "t_touchpoints")
    assert table.column_names[0] == "workspace_key"
    assert set(table.column("workspace_key").to_pylist()) == {wk}


def test_nothing_new_writes_nothing(workspace, owner, test_tables, duckdb_url):
    seed(workspace, owner, contacts=2, touches_each=1)
    export_workspace(workspace)

    class Untouchable(DuckDBSink):
        def replace(self, **kwargs):
            raise AssertionError("a run with nothing new must not write")

        def truncate(self, **kwargs):
            raise AssertionError("a run with nothing new must not write")

    result = export_workspace(workspace, sink=Untouchable(duckdb_url))
    assert dict(result) == {"t_contacts": 0, "t_touchpoints": 0}


def test_tables_argument_limits_the_run(workspace, owner, test_tables, duckdb_url):
    seed(workspace, owner, contacts=2, touches_each=1)
    assert dict(export_workspace(workspace, tables=["t_contacts"])) == {"t_contacts": 2}
    with pytest.raises(ValueError, match="nope"):
        export_workspace(workspace, tables=["nope"])
