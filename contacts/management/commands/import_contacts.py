"""manage.py import_contacts --workspace acme people.csv [--update|--skip|--create] [--actor email]
[--owner email] [--tag NAME ...] [--stage STAGE] [--date-order auto|dmy|mdy|ymd]

Runs the same import as the web page (detection, auto-mapping, batched dedupe) in this process
and prints a summary, every rejected line, every line with a note and every line that shares
only a phone number with a contact (a possible duplicate, not written). --owner, --tag and
--stage apply to every row, as on the mapping page; --date-order says how dates such as
03/04/1970 are read."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.management.base import BaseCommand, CommandError

from contacts.dates import DateOrder
from contacts.imports.jobs import import_job_configure, import_job_create, import_job_queue
from contacts.imports.runner import import_run
from contacts.models import (
    CustomFieldEntity,
    DedupeMode,
    ImportPossibleDuplicate,
    ImportRowError,
    ImportRowKind,
    LifecycleStage,
)
from workspaces.models import User, Workspace
from workspaces.scoping import workspace_scope

MAX_ERRORS_PRINTED = 1000


class Command(BaseCommand):
    help = "Import contacts (or accounts) from a CSV or XLSX file into a workspace."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the CSV or XLSX file.")
        parser.add_argument("--workspace", required=True, help="The workspace's slug.")
        mode = parser.add_mutually_exclusive_group()
        for value in DedupeMode.values:
            mode.add_argument(
                f"--{value}",
                dest="mode",
                action="store_const",
                const=value,
                help=f"Existing contact with the same email or phone: {value}.",
            )
        parser.set_defaults(mode=DedupeMode.UPDATE)
        parser.add_argument("--accounts", action="store_true", help="The file holds accounts.")
        parser.add_argument("--actor", help="Email of the member recorded as doing the import.")
        parser.add_argument("--owner", help="Email of the member who owns every imported row.")
        parser.add_argument(
            "--tag",
            action="append",
            default=[],
            help="A tag for every imported row (repeat for several; created when missing).",
        )
        parser.add_argument(
            "--stage",
            choices=LifecycleStage.values,
            default="",
            help="Lifecycle stage of every row (a stage column in the file wins).",
        )
        parser.add_argument(
            "--date-order",
            choices=DateOrder.values,
            default=DateOrder.AUTO,
            help="How dates such as 03/04/1970 are read: day first (dmy), month first (mdy), "
            "year first (ymd) or from the workspace's country (auto, the default).",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with the slug “{options['workspace']}”.")
        actor = None
        if options["actor"]:
            actor = User.objects.filter(email__iexact=options["actor"]).first()
            if actor is None:
                raise CommandError(f"No user with the email {options['actor']}.")
        owner = None
        if options["owner"]:
            owner = User.objects.filter(email__iexact=options["owner"]).first()
            if owner is None:
                raise CommandError(f"No user with the email {options['owner']}.")
        entity = CustomFieldEntity.ACCOUNT if options["accounts"] else CustomFieldEntity.CONTACT
        defaults = {
            "owner": owner,
            "tags": options["tag"],
            "lifecycle_stage": options["stage"],
            "date_order": options["date_order"],
        }
        with workspace_scope(workspace):
            job = self._run(workspace, actor, path, entity, options["mode"], defaults)
            self._report(job)
            if job.status == "failed":
                raise CommandError(f"The import failed: {job.error}")

    def _run(self, workspace, actor, path, entity, mode, defaults):
        try:
            with path.open("rb") as fh:  # streamed to storage, never read whole
                job = import_job_create(
                    workspace=workspace, actor=actor, upload=File(fh, name=path.name), entity=entity
                )
            unmapped = [h for i, h in enumerate(job.headers) if str(i) not in job.mapping]
            import_job_configure(
                job=job, actor=actor, mapping=job.mapping, dedupe_mode=mode, **defaults
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        mapped = ", ".join(
            f"{job.headers[int(i)]} → {f}"
            for i, f in sorted(job.mapping.items(), key=lambda kv: int(kv[0]))
        )
        self.stdout.write(f"Columns: {mapped}")
        if unmapped:
            self.stdout.write(f"Ignored columns: {', '.join(unmapped)}")
        import_job_queue(job=job, actor=actor, enqueue=False)
        return import_run(job_id=job.pk)

    def _report(self, job):
        self.stdout.write(
            f"created {job.created_count}, updated {job.updated_count}, "
            f"skipped {job.skipped_count}, rejected {job.rejected_count} "
            f"({job.processed_rows} rows)"
        )
        rows = ImportRowError.objects.filter(job=job).order_by("line")
        for error in rows.filter(kind=ImportRowKind.REJECTED)[:MAX_ERRORS_PRINTED]:
            self.stdout.write(f"  line {error.line}: {error.reason}")
        if job.rejected_count > MAX_ERRORS_PRINTED:
            self.stdout.write(f"  … and {job.rejected_count - MAX_ERRORS_PRINTED} more")
        if job.noted_count:
            self.stdout.write(f"imported with notes: {job.noted_count}")
            for note in rows.filter(kind=ImportRowKind.NOTE)[:MAX_ERRORS_PRINTED]:
                self.stdout.write(f"  line {note.line} (imported): {note.reason}")
            if job.noted_count > MAX_ERRORS_PRINTED:
                self.stdout.write(f"  … and {job.noted_count - MAX_ERRORS_PRINTED} more")
        possible = ImportPossibleDuplicate.objects.filter(job=job).order_by("line", "id")
        for note in possible[:MAX_ERRORS_PRINTED]:
            self.stdout.write(
                f"  line {note.line}: possible duplicate of {note.contact_name} "
                f"(#{note.contact_id}, same phone {note.phone}); not imported"
            )
