"""The global search finds cases by the start of their subject through an index
(service/migrations/0006_case_subject_prefix_index.py), not by reading every case of the
workspace: at 300,000 cases the scan cost every search about 0.3 s."""

import pytest
from django.db import connection, transaction

from service.selectors.panels import _search_cases_qs, search_cases
from service.services.cases import case_create
from tests.factories import WorkspaceFactory
from tests.workspaces.test_rls import product_code
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.postgres


@pytest.mark.django_db
def test_the_case_search_by_subject_start_uses_the_prefix_index():
    workspace = WorkspaceFactory()
    with workspace_scope(workspace):
        for subject in ("Printer jammed", "printer offline", "Invoice wrong"):
            case_create(workspace=workspace, actor=None, subject=subject)
        hits = search_cases(workspace, "print", limit=8)
        # the matching ids, as the capped count reads them (with few rows the newest-first
        # walk of the page query is as cheap as any other plan, so that one proves nothing)
        queryset = _search_cases_qs(workspace, "print").order_by().values("id")
        sql, params = queryset.query.sql_with_params()
    assert sorted(hit.title.split(" ", 1)[1] for hit in hits) == [
        "Printer jammed",
        "printer offline",
    ]
    with (
        product_code(),
        workspace_scope(workspace),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL enable_seqscan = off")  # few rows: ask what it would use
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "case_ws_subject_prefix" in plan, plan
    # The LIKE prefix becomes the index range (`~>=~`, `~<~`) once the operator has marked
    # upper() and textlike() LEAKPROOF (README "Row-level security"; `make bench` does): until
    # then the policy keeps the LIKE a filter on the workspace's entries of this index.
    assert 'UPPER("service_case"."subject"::text) LIKE' in sql, sql
