"""manage.py ingest_email --workspace <slug> [FILE|DIR|-]

Feeds raw RFC 5322 messages into email to case, as the HTTP endpoint does: FILE is one
message, DIR a Maildir (cur/ and new/; nothing is moved or deleted, ingesting again is
harmless) or a directory of message files, "-" (the default) one message on stdin. Prints
one line per message (its outcome and case number) and a summary. Messages over
SERVICE_MAIL_MAX_MESSAGE_BYTES are refused, nothing stored."""

import mailbox
import sys
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from service.services.inbound import inbound_ingest
from workspaces.models import Workspace
from workspaces.scoping import workspace_scope


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def _messages(source: str):
    """(name, bytes) of each message in `source`, read one at a time (memory bounded)."""
    if source == "-":
        yield "stdin", sys.stdin.buffer.read(settings.SERVICE_MAIL_MAX_MESSAGE_BYTES + 1)
        return
    path = Path(source)
    if path.is_file():
        yield path.name, path.read_bytes()
    elif path.is_dir() and _is_maildir(path):
        box = mailbox.Maildir(path, factory=None, create=False)
        for key in sorted(box.iterkeys()):
            yield key, box.get_bytes(key)
    elif path.is_dir():
        for child in sorted(p for p in path.iterdir() if p.is_file()):
            yield child.name, child.read_bytes()
    else:
        raise CommandError(f"{source}: no such file or directory.")


class Command(BaseCommand):
    help = "Ingest raw email messages (a file, a Maildir or stdin) into a workspace's cases."

    def add_arguments(self, parser):
        parser.add_argument("source", nargs="?", default="-", help="FILE, DIR (Maildir) or -.")
        parser.add_argument("--workspace", required=True, help="The workspace's slug.")

    def handle(self, *args, source, workspace, **options):
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace with the slug {workspace!r}.")
        limit = settings.SERVICE_MAIL_MAX_MESSAGE_BYTES
        totals = Counter()
        with workspace_scope(ws):
            for name, raw in _messages(source):
                if len(raw) > limit:
                    self.stderr.write(f"{name}: larger than {limit} bytes, not stored")
                    totals["refused"] += 1
                    continue
                if not raw.strip():
                    self.stderr.write(f"{name}: empty, not stored")
                    totals["refused"] += 1
                    continue
                result = inbound_ingest(workspace=ws, raw=raw)
                case = f" case #{result.case.number}" if result.case else ""
                self.stdout.write(f"{name}: {result.outcome}{case}")
                totals[result.outcome] += 1
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(totals.items()))
        self.stdout.write(summary or "No messages.")
