"""A test-time SQL guard (any database): no product statement reaches a workspace-owned
table unless the statement names `workspace_id` or a scope fences it.

Installed by tests/conftest.py on every connection while product code runs (requests
through the test client, tasks). A statement fails the guard when it mentions a
workspace-owned table (a table with a `workspace_id` column), does not mention `workspace_id`
itself, and runs with neither a workspace scope (whose row-level security policy adds the
condition) nor an explicit `scopes_disabled()`. On PostgreSQL such a statement would see no
row and write none; on SQLite it would read every workspace. `EXEMPT` lists the justified
exceptions (a table name or a phrase of the statement, with the reason).
"""

import traceback
from contextvars import ContextVar
from functools import cache

from django.apps import apps

from workspaces.db.state import scope_active, test_body_bypass

# table name -> why a statement on it needs no workspace condition. Keep it short.
EXEMPT: dict[str, str] = {}

_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN", "SET ", "SELECT SET_CONFIG")


class UnscopedStatement(AssertionError):
    """A statement on a workspace-owned table without a workspace condition or scope."""


@cache
def workspace_tables() -> frozenset[str]:
    """The tables (auto-created many-to-many ones too) that carry a `workspace_id` column."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if any(f.column == "workspace_id" for f in model._meta.concrete_fields):
            tables.add(model._meta.db_table)
    return frozenset(tables)


def unscoped_tables(sql: str) -> list[str]:
    """The workspace-owned tables a statement reaches without a workspace condition ([] when
    the statement names `workspace_id` or touches none)."""
    text = str(sql)
    if "workspace_id" in text or text.lstrip()[:17].upper().startswith(_CONTROL):
        return []
    return sorted(
        table for table in workspace_tables() if f'"{table}"' in text and table not in EXEMPT
    )


class SqlGuard:
    """The execute wrapper; `violations` collects (statement, tables, stack) it found."""

    def __init__(self):
        self.violations: list[tuple[str, list[str], str]] = []
        self.paused: ContextVar[bool] = ContextVar("sql_guard_paused", default=False)

    def __call__(self, execute, sql, params, many, context):
        if not test_body_bypass.get() and not scope_active() and not self.paused.get():
            tables = unscoped_tables(sql)
            if tables:
                stack = "".join(traceback.format_stack(limit=14)[:-1])
                self.violations.append((str(sql)[:500], tables, stack))
        return execute(sql, params, many, context)

    def report(self) -> str:
        """The violations as a readable message ('' for none)."""
        return "\n\n".join(
            f"Unscoped statement on {', '.join(tables)} (no workspace_id condition, no "
            f"workspace scope, no scopes_disabled()):\n  {sql}\n{stack}"
            for sql, tables, stack in self.violations
        )
