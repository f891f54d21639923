"""`manage.py partition_interactions [--months-ahead N]`: the interaction table by month.

An operator's planned step on PostgreSQL (docs/SCALING.md, touchpoints.partitions): converts
the table to monthly range partitions on `occurred_at` in one transaction (an exclusive lock
while every row is copied), then makes the partitions up to N months ahead. Idempotent: run
again, it only makes the partitions ahead. Like `migrate`, it connects as the tables' owner
(DATABASE_MIGRATION_URL) when one is configured and grants DATABASE_URL's role its rights on
the new tables.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from touchpoints.partitions import partition_table
from workspaces.db.policies import rls_grant

CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")


class Command(BaseCommand):
    help = _(
        "Partition the interaction table by month of occurred_at (PostgreSQL; idempotent) "
        "and create the partitions ahead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--months-ahead", type=int, default=3)

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(_("Partitioning needs PostgreSQL (DATABASE_URL=postgres://…)."))
        owner = connection.settings_dict.get("MIGRATION")
        app_role = connection.settings_dict["USER"]
        saved = {key: connection.settings_dict[key] for key in CREDENTIALS}
        if owner:
            connection.close()
            connection.settings_dict.update({key: owner[key] for key in CREDENTIALS})
        started = time.monotonic()
        try:
            result = partition_table(
                months_ahead=options["months_ahead"],
                log=lambda line: self.stdout.write(line),
            )
            if owner and app_role and app_role != owner["USER"]:
                rls_grant(app_role, connection)
        finally:
            if owner:
                connection.close()
                connection.settings_dict.update(saved)
        verb = "converted" if result["converted"] else "already partitioned"
        self.stdout.write(
            f"touchpoints_interaction {verb}: {result['rows']} rows copied, "
            f"{result['partitions']} partitions, {result['created_ahead']} made ahead, "
            f"{time.monotonic() - started:.1f} s"
        )
