"""COPY into a table under row-level security.

PostgreSQL refuses `COPY … FROM` into a table with row-level security for a role the
policies hold (the application's). The rows go into a TEMP staging table shaped like the
target instead (no policy there, no WAL), then one `INSERT … SELECT` moves them into the
target under the policy's WITH CHECK, as every other write. The staging table lives and
dies inside the caller's transaction.
"""

from collections.abc import Iterable, Sequence

from django.db import connection, transaction


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Write `rows` (sequences of values in `columns` order, JSON already encoded as text)
    into `table` through a TEMP staging table; returns how many. PostgreSQL only. Raises
    the database's error (a row of another workspace than the one in scope: the policy's
    WITH CHECK) and writes nothing then (one transaction)."""
    quoted_table = connection.ops.quote_name(table)
    stage = connection.ops.quote_name(f"stage_{table}"[:63])
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{stage}")
        cursor.execute(
            f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS "  # noqa: S608 - our names only
            f"SELECT {names} FROM {quoted_table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        cursor.execute(
            f"INSERT INTO {quoted_table} ({names}) SELECT {names} FROM {stage}"  # noqa: S608
        )
        cursor.execute(f"DROP TABLE {stage}")
    return count
