"""Row-level security on every table with a `workspace_id` column (DESIGN.md §4, fence 4).

Each such table is ENABLE'd and FORCE'd (the owner is held to it too) and carries exactly two
permissive policies, for every command, USING and WITH CHECK:

- `workspace_isolation`: `workspace_id = NULLIF(current_setting('app.workspace_id', true),
  '')::bigint`: the typed column against the setting cast once, so indexes on
  `workspace_id` stay usable and the planner estimates with the real value;
- `workspace_bypass`: `current_setting('app.rls_bypass', true) = 'on'`: explicit global work
  (`scopes_disabled()`).

With neither setting a statement sees no row and may write none. `rls_apply` is idempotent
and touches only tables whose state differs, so the migration and the post_migrate handler
(tables of apps added later) share it; `rls_problems` is what `manage.py rls_check` reports.
"""

from django.db import connection as default_connection

ISOLATION = "workspace_isolation"
BYPASS = "workspace_bypass"
ISOLATION_SQL = "workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::bigint"
BYPASS_SQL = "current_setting('app.rls_bypass', true) = 'on'"
# How PostgreSQL prints the two expressions back (pg_policies.qual / with_check).
ISOLATION_DEPARSED = (
    "(workspace_id = (NULLIF(current_setting('app.workspace_id'::text, true), ''::text))::bigint)"
)
BYPASS_DEPARSED = "(current_setting('app.rls_bypass'::text, true) = 'on'::text)"
EXPECTED_POLICIES = {ISOLATION: ISOLATION_DEPARSED, BYPASS: BYPASS_DEPARSED}

# ANALYZE needs the table's owner; the import (contacts.imports.runner) refreshes statistics
# mid-import through this SECURITY DEFINER function, which the application role may execute.
ANALYZE_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION app_analyze(target regclass, columns text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    EXECUTE format('ANALYZE %s (%s)', target,
                   (SELECT string_agg(quote_ident(c), ', ') FROM unnest(columns) AS c));
END $$;
REVOKE ALL ON FUNCTION app_analyze(regclass, text[]) FROM PUBLIC;
"""


def workspace_tables(cursor) -> list[str]:
    """Names of the ordinary tables of the current schema with a `workspace_id` column."""
    cursor.execute(
        """
        SELECT c.relname FROM pg_class c
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'workspace_id'
                           AND NOT a.attisdropped
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
        ORDER BY c.relname
        """
    )
    return [row[0] for row in cursor.fetchall()]


def table_problems(cursor, table: str) -> list[str]:
    """What is wrong with one table's row-level security ([] when it is as above)."""
    cursor.execute(
        """
        SELECT c.relrowsecurity, c.relforcerowsecurity, format_type(a.atttypid, a.atttypmod)
        FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'workspace_id'
        WHERE c.oid = %s::regclass
        """,
        [f'"{table}"'],
    )
    enabled, forced, column_type = cursor.fetchone()
    problems = []
    if not enabled:
        problems.append(f"{table}: row-level security is not enabled")
    if not forced:
        problems.append(f"{table}: row-level security is not forced (the owner bypasses it)")
    if column_type != "bigint":
        problems.append(f"{table}: workspace_id is {column_type}, the policy compares bigint")
    cursor.execute(
        "SELECT policyname, permissive, cmd, roles::text[], qual, with_check FROM pg_policies"
        " WHERE schemaname = current_schema() AND tablename = %s",
        [table],
    )
    found = {row[0]: row[1:] for row in cursor.fetchall()}
    for name, expression in EXPECTED_POLICIES.items():
        if name not in found:
            problems.append(f"{table}: policy {name} is missing")
            continue
        permissive, cmd, roles, qual, with_check = found[name]
        if (permissive, cmd, list(roles)) != ("PERMISSIVE", "ALL", ["public"]):
            problems.append(f"{table}: policy {name} is not a permissive policy for all")
        if qual != expression or with_check != expression:
            problems.append(
                f"{table}: policy {name} is USING {qual} WITH CHECK {with_check}, "
                f"expected {expression} for both"
            )
    for name in sorted(set(found) - set(EXPECTED_POLICIES)):
        problems.append(f"{table}: unexpected policy {name} (permissive policies add up)")
    return problems


def apply_sql(table: str) -> list[str]:
    """The statements that put one table under row-level security (idempotent)."""
    quoted = f'"{table}"'
    statements = [
        f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY",
    ]
    for name, expression in ((ISOLATION, ISOLATION_SQL), (BYPASS, BYPASS_SQL)):
        statements += [
            f"DROP POLICY IF EXISTS {name} ON {quoted}",
            f"CREATE POLICY {name} ON {quoted} USING ({expression}) WITH CHECK ({expression})",
        ]
    return statements


def rls_apply(connection=default_connection) -> list[str]:
    """Put every workspace table whose row-level security differs from the above under it,
    as the connected role (the tables' owner: run by `migrate`). Returns the tables changed;
    nothing on other databases than PostgreSQL."""
    if connection.vendor != "postgresql":
        return []
    changed = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure('app_analyze(regclass, text[])') IS NULL")
        if cursor.fetchone()[0]:
            cursor.execute(ANALYZE_FUNCTION_SQL)
        for table in workspace_tables(cursor):
            if table_problems(cursor, table):
                for statement in apply_sql(table):
                    cursor.execute(statement)
                changed.append(table)
    return changed


def rls_remove(connection=default_connection) -> None:
    """Undo `rls_apply` on every workspace table (the migration's reverse)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in workspace_tables(cursor):
            for name in EXPECTED_POLICIES:
                cursor.execute(f'DROP POLICY IF EXISTS {name} ON "{table}"')
            cursor.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
            cursor.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
        cursor.execute("DROP FUNCTION IF EXISTS app_analyze(regclass, text[])")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def grant_sql(role: str, schema: str = "public", *, truncate: bool = False) -> list[str]:
    """The grants of the application role on one schema: data (not schema) rights on every
    table and sequence, the same on tables the granting owner creates later (default
    privileges), and the statistics function. `truncate` only for test databases (the flush
    between transactional tests)."""
    rights = "SELECT, INSERT, UPDATE, DELETE" + (", TRUNCATE" if truncate else "")
    role, schema = _ident(role), _ident(schema)
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT {rights} ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {rights} ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {role}",
        f"GRANT EXECUTE ON FUNCTION {schema}.app_analyze(regclass, text[]) TO {role}",
    ]


def rls_grant(role: str, connection=default_connection, *, truncate: bool = False) -> None:
    """Grant the application role its rights (see grant_sql) on the current schema, as the
    tables' owner. Raises DatabaseError when the role does not exist."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
        for statement in grant_sql(role, schema, truncate=truncate):
            cursor.execute(statement)
