"""manage.py import_queue_log FILE --workspace SLUG: read an Asterisk/FreePBX queue_log file
and feed its call events through the telephony event service (as the endpoint does), in
batches. Lines that are no call event are skipped; importing a file twice adds nothing."""

from django.core.management.base import BaseCommand, CommandError

from callcentre.asterisk import queue_log_events
from callcentre.services.events import EventError, events_ingest, events_parse
from workspaces.models import Workspace
from workspaces.scoping import workspace_scope

BATCH = 500


class Command(BaseCommand):
    help = "Import an Asterisk queue_log file as telephony events of a workspace."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--workspace", required=True, help="the workspace's slug")
        parser.add_argument("--provider", default="asterisk")

    def handle(self, *args, **options):
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace {options['workspace']!r}.")
        accepted = duplicates = skipped = 0
        batch: list[dict] = []

        def flush():
            nonlocal accepted, duplicates
            if not batch:
                return
            with workspace_scope(workspace):
                result = events_ingest(workspace=workspace, events=events_parse(batch))
            accepted += result.accepted
            duplicates += result.duplicates
            batch.clear()

        try:
            with open(options["file"], encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    events = queue_log_events(line, provider=options["provider"])
                    if not events:
                        skipped += bool(line.strip())
                    batch.extend(events)
                    if len(batch) >= BATCH:
                        flush()
                flush()
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except EventError as exc:
            raise CommandError(f"Invalid event: {exc}") from exc
        self.stdout.write(
            f"{accepted} events stored, {duplicates} already known, {skipped} lines skipped."
        )
