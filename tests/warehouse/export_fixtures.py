"""Fixtures of the exporter's tests (imported with `from tests.warehouse.export_fixtures import *`,
so no conftest.py is shared with the table tests)."""

import pytest

from tests.warehouse import testing_tables

__all__ = ["duckdb_url", "parquet_url", "test_tables"]


@pytest.fixture
def test_tables(monkeypatch):
    """The exporter's two test tables, and no other, registered for the test."""
    testing_tables.install(monkeypatch)
    return testing_tables


@pytest.fixture
def duckdb_url(settings, tmp_path):
    path = tmp_path / "wh.duckdb"
    settings.WAREHOUSE_URL = f"duckdb://{path}"
    return path


@pytest.fixture
def parquet_url(settings, tmp_path):
    path = tmp_path / "parquet"
    settings.WAREHOUSE_URL = f"parquet://{path}"
    return path
