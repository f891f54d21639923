"""The global search finds cases by the start of their subject through an index
(service/migrations/0006_case_subject_prefix_index.py), not by reading every case of the
workspace: at 300,000 cases the scan cost every search about 0.3 s (bench/README.md, "Found by
the full run"). Which index the planner takes depends on the table's statistics, so with a
handful of rows the plan proves nothing; this checks that the index exists and indexes exactly
the expression the search's SQL compares."""

import pytest
from django.db import connection

from service.selectors.panels import _search_cases_qs, search_cases
from service.services.cases import case_create
from tests.factories import WorkspaceFactory
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.postgres


@pytest.mark.django_db
def test_the_case_search_by_subject_start_has_its_prefix_index():
    workspace = WorkspaceFactory()
    with workspace_scope(workspace):
        for subject in ("Printer jammed", "printer offline", "Invoice wrong"):
            case_create(workspace=workspace, actor=None, subject=subject)
        hits = search_cases(workspace, "print", limit=8)
        sql, _params = _search_cases_qs(workspace, "print").query.sql_with_params()
    assert sorted(hit.title.split(" ", 1)[1] for hit in hits) == [
        "Printer jammed",
        "printer offline",
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'service_case' AND indexname = %s",
            ["case_ws_subject_prefix"],
        )
        (definition,) = cursor.fetchone()
    # led by the workspace, then the search's own expression with the LIKE-prefix operators
    assert "(workspace_id, upper((subject)::text) text_pattern_ops)" in definition, definition
    assert 'UPPER("service_case"."subject"::text) LIKE UPPER(' in sql, sql
