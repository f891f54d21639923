"""Monthly range partitions of the interaction table by `occurred_at` (PostgreSQL; opt-in).

Converting a live table is an operator's planned step (`manage.py partition_interactions`,
docs/SCALING.md), not a migration: it takes an exclusive lock and copies every row. After it,
Django works on the table unchanged: the model, its manager, inserts (`RETURNING id`),
`interaction_record`, the timeline selectors, merging (UPDATE … SET contact_id), erasure and
the warehouse's read by `seq`.

What partitioning needs, and what `partition_table` does about it:

- Every primary key and unique constraint of a partitioned table must contain the partition
  key. The primary key becomes (id, occurred_at); `interaction_ws_seq_uniq` becomes
  (workspace_id, seq, occurred_at) and `interaction_ws_source_event_uniq` (workspace_id,
  source_system, source_event_id, occurred_at) WHERE source_event_id <> ''. `id` stays unique
  by its identity sequence and `seq` by the workspace's change sequence (both are only ever
  drawn, never chosen); an event another system sends twice is still recorded once as long as
  it sends the same time (`interactions_record_many` inserts with ON CONFLICT DO NOTHING,
  which any unique index arbitrates).
- A foreign key must reference a unique constraint of the referenced table, so
  `scoring_contribution.interaction_id` cannot reference `id` alone any more. Its constraint
  is replaced by two deferred constraint triggers with the same meaning (NO ACTION, checked
  at commit like Django's DEFERRABLE INITIALLY DEFERRED): a contribution must name an existing
  interaction, and an interaction still named by a contribution cannot go. Django's
  on_delete=CASCADE runs in Python as before (it deletes the contributions first).
- Row-level security is per table: the parent and every partition get it (`rls_apply`), and
  partitions made later get it from `app_interaction_partitions_ahead`, a SECURITY DEFINER
  function the periodic task (touchpoints.partitions_ahead) calls as the application role,
  which may not create tables itself (all it can do: the missing months, at most 24 ahead).
- A DEFAULT partition takes rows outside every monthly range (far past, far future).
"""

import datetime
import re

from django.db import connection as default_connection, transaction

from workspaces.db.policies import rls_apply

TABLE = "touchpoints_interaction"
KEY = "occurred_at"
OLD = f"{TABLE}_unpartitioned"
DEFAULT_PARTITION = f"{TABLE}_default"
CONTRIBUTION = "scoring_contribution"
AHEAD_FUNCTION = "app_interaction_partitions_ahead"

# Created (or replaced) by partition_table, as the owner. Policies of a new partition: the
# same two as every workspace table (workspaces.db.policies; rls_check compares the text).
FUNCTIONS_SQL = f"""
CREATE OR REPLACE FUNCTION {AHEAD_FUNCTION}(months integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    schema text := '__SCHEMA__';
    start timestamptz := date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    made integer := 0;
    name text;
BEGIN
    IF (SELECT relkind FROM pg_class WHERE oid = to_regclass(quote_ident(schema) || '.{TABLE}'))
       IS DISTINCT FROM 'p' THEN
        RETURN 0;
    END IF;
    FOR i IN 0..least(greatest(months, 0), 24) LOOP
        name := '{TABLE}_p' || to_char(start AT TIME ZONE 'UTC', 'YYYYMM');
        IF to_regclass(quote_ident(schema) || '.' || quote_ident(name)) IS NULL THEN
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.{TABLE} FOR VALUES FROM (%L) TO (%L)',
                           schema, name, schema, start, start + interval '1 month');
            EXECUTE format('ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY', schema, name);
            EXECUTE format('ALTER TABLE %I.%I FORCE ROW LEVEL SECURITY', schema, name);
            EXECUTE format('CREATE POLICY workspace_isolation ON %I.%I USING (%s) WITH CHECK (%s)',
                           schema, name, $p$workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::bigint$p$,
                           $p$workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::bigint$p$);
            EXECUTE format('CREATE POLICY workspace_bypass ON %I.%I USING (%s) WITH CHECK (%s)',
                           schema, name, $p$current_setting('app.rls_bypass', true) = 'on'$p$,
                           $p$current_setting('app.rls_bypass', true) = 'on'$p$);
            made := made + 1;
        END IF;
        start := start + interval '1 month';
    END LOOP;
    RETURN made;
END $$;
-- EXECUTE stays granted to PUBLIC (the default): the application role calls it, and all it
-- can do is make the missing partitions of this one table, at most 24 months ahead.

CREATE OR REPLACE FUNCTION app_contribution_interaction_exists() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.interaction_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.interaction_id) THEN
        RAISE foreign_key_violation USING MESSAGE = format(
            'insert or update on table "{CONTRIBUTION}" violates foreign key: '
            'interaction %s does not exist', NEW.interaction_id);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION app_interaction_unreferenced() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM {CONTRIBUTION} WHERE interaction_id = OLD.id)
       AND NOT EXISTS (SELECT 1 FROM {TABLE} WHERE id = OLD.id) THEN
        RAISE foreign_key_violation USING MESSAGE = format(
            'delete on table "{TABLE}" violates foreign key: interaction %s is still '
            'referenced from table "{CONTRIBUTION}"', OLD.id);
    END IF;
    RETURN NULL;
END $$;
"""  # noqa: S608 (constant names)

TRIGGERS_SQL = [
    f"DROP TRIGGER IF EXISTS contribution_interaction_fk ON {CONTRIBUTION}",
    f"CREATE CONSTRAINT TRIGGER contribution_interaction_fk AFTER INSERT OR UPDATE OF"
    f" interaction_id ON {CONTRIBUTION} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
    f" EXECUTE FUNCTION app_contribution_interaction_exists()",
    f"DROP TRIGGER IF EXISTS interaction_contribution_fk ON {TABLE}",
    f"CREATE CONSTRAINT TRIGGER interaction_contribution_fk AFTER DELETE ON {TABLE}"
    f" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION app_interaction_unreferenced()",
]


def is_partitioned(cursor) -> bool:
    """Whether the interaction table is partitioned already."""
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
    row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def partition_names(cursor) -> list[str]:
    """The interaction table's partitions, by name."""
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname",
        [TABLE],
    )
    return [row[0] for row in cursor.fetchall()]


def month_name(month: datetime.date) -> str:
    return f"{TABLE}_p{month:%Y%m}"


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _with_key(definition: str) -> str:
    """A unique index's or constraint's definition with the partition key added to its
    columns (the first parenthesised list after the method or the constraint kind)."""
    match = re.search(r"(PRIMARY KEY|UNIQUE|USING \w+) \(([^)]*)\)", definition)
    columns = [c.strip() for c in match.group(2).split(",")]
    if KEY in columns:
        return definition
    start, end = match.span(2)
    return f"{definition[:start]}{match.group(2)}, {KEY}{definition[end:]}"


def partition_table(*, months_ahead: int = 3, connection=default_connection, log=print) -> dict:
    """Convert the interaction table to monthly range partitions on `occurred_at` (UTC months,
    from the oldest row's to `months_ahead` after the current one, plus DEFAULT), as the
    tables' owner, in one transaction. Idempotent: on a partitioned table it only creates
    the partitions ahead. Returns {"converted": bool, "rows": int, "partitions": int,
    "created_ahead": int}. Raises DatabaseError from PostgreSQL (nothing is changed then);
    ValueError on another database than PostgreSQL."""
    if connection.vendor != "postgresql":
        raise ValueError("partitioning needs PostgreSQL")
    result = {"converted": False, "rows": 0}
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
        cursor.execute(FUNCTIONS_SQL.replace("__SCHEMA__", schema.replace("'", "''")))
        if not is_partitioned(cursor):
            result["rows"] = _convert(cursor, months_ahead, log)
            result["converted"] = True
        cursor.execute(f"SELECT {AHEAD_FUNCTION}(%s)", [months_ahead])
        result["created_ahead"] = cursor.fetchone()[0]
        result["partitions"] = len(partition_names(cursor))
    rls_apply(connection)
    return result


def _convert(cursor, months_ahead: int, log) -> int:
    cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
    cursor.execute(f"SELECT min({KEY}), count(*) FROM {TABLE}")  # noqa: S608 (constants)
    oldest, rows = cursor.fetchone()
    log(f"{TABLE}: {rows} rows, the oldest at {oldest}")
    # What the new table must have again, read before the old one is dropped.
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f') ORDER BY conname",
        [TABLE],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid), x.indisunique FROM pg_index x"
        " JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
        " ORDER BY i.relname",
        [TABLE],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE contype = 'f' AND confrelid = %s::regclass",
        [TABLE],
    )
    referencing = [row[0] for row in cursor.fetchall()]
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
    cursor.execute(
        f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING IDENTITY"
        f" INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS)"
        f" PARTITION BY RANGE ({KEY})"
    )
    now = datetime.datetime.now(datetime.UTC).date()
    first = oldest.astimezone(datetime.UTC).date() if oldest else now
    for month in _months(first, now):  # the months ahead: the function, below
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        cursor.execute(
            f"CREATE TABLE {month_name(month)} PARTITION OF {TABLE}"
            f" FOR VALUES FROM ('{month.isoformat()} 00:00+00') TO ('{following.isoformat()} 00:00+00')"
        )
    cursor.execute(f"CREATE TABLE {DEFAULT_PARTITION} PARTITION OF {TABLE} DEFAULT")
    cursor.execute(f"SELECT {AHEAD_FUNCTION}(%s)", [months_ahead])
    cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {OLD}")  # noqa: S608 (constants)
    for name in referencing:
        cursor.execute(f"ALTER TABLE {CONTRIBUTION} DROP CONSTRAINT {name}")
    cursor.execute(f"DROP TABLE {OLD}")
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    sequence = cursor.fetchone()[0]
    cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {TABLE}_id_seq")
    cursor.execute(
        f"SELECT setval('{TABLE}_id_seq', coalesce((SELECT max(id) FROM {TABLE}), 0) + 1, false)"  # noqa: S608
    )
    for name, kind, definition in constraints:
        if kind in ("p", "u"):
            definition = _with_key(definition)
        cursor.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
    for _name, definition, unique in indexes:
        definition = definition.replace(f" ON public.{OLD} ", f" ON public.{TABLE} ")
        definition = definition.replace(f" ON {OLD} ", f" ON {TABLE} ")
        cursor.execute(_with_key(definition) if unique else definition)
    for statement in TRIGGERS_SQL:
        cursor.execute(statement)
    cursor.execute(f"ANALYZE {TABLE}")
    return rows


def partitions_ahead(months: int = 3, connection=default_connection) -> int:
    """Create the monthly partitions from the current month to `months` ahead that are
    missing (as any role: through the owner's SECURITY DEFINER function). Returns how many
    were made; 0 where the table is not partitioned, the function is missing (the table was
    never converted) or the database is not PostgreSQL."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure(%s) IS NOT NULL", [f"{AHEAD_FUNCTION}(integer)"])
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute(f"SELECT {AHEAD_FUNCTION}(%s)", [months])
        return cursor.fetchone()[0]
