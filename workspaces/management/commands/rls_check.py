"""`manage.py rls_check`: is fence 4 (row-level security) really up on this database?

Checks, as the role the application connects with (DATABASE_URL):
1. the role is no superuser, has no BYPASSRLS and owns no table of the schema (nor is a
   member of a role that does);
2. every table with a `workspace_id` column has row-level security enabled and forced and
   exactly the two policies of workspaces.db.policies (the typed comparison);
3. with no workspace set, a query of each such table sees no row, while at least one of them
   has rows (read with the explicit bypass).

Prints what it checked; exits non-zero with every problem found.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from workspaces.db.policies import table_problems, workspace_tables
from workspaces.scoping import scopes_disabled


class Command(BaseCommand):
    help = _(
        "Verify row-level security: the connecting role, the policies on every workspace "
        "table, and that a query without a workspace sees nothing."
    )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(_("rls_check needs PostgreSQL (DATABASE_URL=postgres://…)."))
        problems = []
        with connection.cursor() as cursor:
            problems += self.role_problems(cursor)
            tables = workspace_tables(cursor)
            if not tables:
                problems.append(_("No table has a workspace_id column: is the schema migrated?"))
            for table in tables:
                problems += table_problems(cursor, table)
        problems += self.visibility_problems(tables)
        if problems:
            raise CommandError(
                _("Row-level security check failed:") + "\n  " + "\n  ".join(problems)
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Row-level security holds on %(count)s workspace tables.")
                % {"count": len(tables)}
            )
        )

    def role_problems(self, cursor) -> list[str]:
        cursor.execute(
            "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        role, superuser, bypass = cursor.fetchone()
        problems = []
        if superuser:
            problems.append(_("The role %(role)s is a superuser.") % {"role": role})
        if bypass:
            problems.append(_("The role %(role)s has BYPASSRLS.") % {"role": role})
        cursor.execute(
            """
            SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c
            WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
              AND pg_has_role(current_user, c.relowner, 'MEMBER')
            ORDER BY c.relname
            """
        )
        owned = cursor.fetchall()
        if owned:
            problems.append(
                _(
                    "The role %(role)s owns (or may act as the owner of) %(count)s tables, e.g. %(first)s."
                )
                % {"role": role, "count": len(owned), "first": owned[0][0]}
            )
        self.stdout.write(_("Role %(role)s: checked.") % {"role": role})
        return problems

    def visibility_problems(self, tables) -> list[str]:
        problems, with_rows = [], 0
        for table in tables:
            # No scope here: the backend sets no workspace and no bypass.
            if self.has_rows(table):
                problems.append(
                    _("%(table)s: rows are visible with no workspace set.") % {"table": table}
                )
            with scopes_disabled():  # the explicit bypass: are there rows at all?
                with_rows += self.has_rows(table)
        if tables and not with_rows:
            problems.append(
                _(
                    "No workspace table has rows, so the check that nothing is visible without "
                    "a workspace proved nothing: run it on a database with data."
                )
            )
        self.stdout.write(
            _("Without a workspace: no row visible in %(count)s tables (%(rows)s have rows).")
            % {"count": len(tables), "rows": with_rows}
        )
        return problems

    @staticmethod
    def has_rows(table: str) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})")  # noqa: S608
            return cursor.fetchone()[0]
