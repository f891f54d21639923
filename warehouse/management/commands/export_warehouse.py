"""manage.py export_warehouse [--workspace SLUG] [--full] [--table NAME ...]

Runs the warehouse export (warehouse.services.export) in this process, for one workspace or
every workspace, and prints per table the rows written and the time taken. --full rebuilds the
tables (everything is written again); --table limits the run to the named tables. A workspace
whose export is running elsewhere is reported as busy; a sink that cannot be written is
reported and the command exits with status 1 (the high-water marks stay, the next run catches
up)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from warehouse.registry import SinkError
from warehouse.services.export import export_workspace
from workspaces.models import Workspace


class Command(BaseCommand):
    help = "Export workspaces to the warehouse (WAREHOUSE_URL): incremental, or --full."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", help="The workspace's slug (default: every workspace).")
        parser.add_argument("--full", action="store_true", help="Rebuild the tables.")
        parser.add_argument(
            "--table", action="append", help="Only this warehouse table (repeat for several)."
        )

    def handle(self, *args, workspace=None, full=False, table=None, **options):
        if workspace:
            workspaces = list(Workspace.objects.filter(slug=workspace))
            if not workspaces:
                raise CommandError(f"No workspace with the address {workspace!r}.")
        else:
            workspaces = list(Workspace.objects.order_by("slug"))
        self.stdout.write(f"Warehouse: {settings.WAREHOUSE_URL}")
        failed = []
        for ws in workspaces:
            try:
                result = export_workspace(ws, full=full, tables=table)
            except ValueError as error:
                raise CommandError(str(error)) from error
            except SinkError as error:
                self.stderr.write(f"{ws.slug}: failed: {error}")
                failed.append(ws.slug)
                continue
            if result.busy:
                self.stdout.write(f"{ws.slug}: busy (an export of this workspace is running)")
                continue
            self.stdout.write(f"{ws.slug}: up to sequence {result.upto_seq}")
            for name, rows in result.items():
                seconds = result.seconds.get(name, 0.0)
                self.stdout.write(f"  {name:<32} {rows:>12,} rows {seconds:>9.2f} s")
        if failed:
            raise CommandError(f"The export failed for: {', '.join(failed)}")
