"""Import and merge URLs with an object id (see tests/isolation.py)."""

from contacts.models import ImportJob, ImportStatus
from tests.contacts.factories import ContactFactory
from tests.isolation import register, register_case


@register(
    "contacts:import_mapping",
    "contacts:import_detail",
    "contacts:import_progress",
    "contacts:import_undo",
)
def import_job_in(workspace, user):
    job = ImportJob.all_workspaces.create(
        workspace=workspace,
        original_name="theirs.csv",
        file="imports/theirs.csv",
        file_format="csv",
        encoding="utf-8",
        delimiter=",",
        headers=["Email"],
        mapping={"0": "email"},
        status=ImportStatus.UPLOADED,
        created_by=user,
    )
    return {"pk": job.pk}, job


@register("contacts:merge")
def merge_pair_in(workspace, user):
    first = ContactFactory(workspace=workspace)
    second = ContactFactory(workspace=workspace)
    return {"pk": first.pk, "other": second.pk}, second


@register("contacts:export_detail", "contacts:export_progress", "contacts:export_download")
def export_job_in(workspace, user):
    from django.core.files.base import ContentFile

    from contacts.models import ExportJob, ExportStatus

    job = ExportJob(workspace=workspace, status=ExportStatus.DONE, total_rows=1, created_by=user)
    job.file.save("theirs.xlsx", ContentFile(b"their contacts"), save=False)
    job.save()
    return {"pk": job.pk}, job


@register("contacts:bulk_delete_detail", "contacts:bulk_delete_progress")
def bulk_delete_job_in(workspace, user):
    from contacts.models import BulkDeleteJob

    job = BulkDeleteJob.all_workspaces.create(
        workspace=workspace, status="running", total_rows=600, created_by=user
    )
    return {"pk": job.pk}, job


def _merged_pair(workspace):
    from contacts.services.merging import contact_merge
    from workspaces.scoping import workspace_scope

    with workspace_scope(workspace):
        survivor = ContactFactory(workspace=workspace)
        loser = ContactFactory(workspace=workspace)
        contact_merge(workspace=workspace, actor=None, survivor=survivor, loser=loser)
        other = ContactFactory(workspace=workspace)
    return survivor, loser, other


@register_case("merged-away", "contacts:detail", "contacts:edit", "contacts:delete")
def merged_away_in(workspace, user):
    """The id of a contact merged into another redirects in its own workspace only."""
    survivor, loser, _other = _merged_pair(workspace)
    return {"pk": loser.pk}, survivor


@register_case("merged-away", "contacts:merge")
def merged_away_pair_in(workspace, user):
    survivor, loser, other = _merged_pair(workspace)
    return {"pk": other.pk, "other": loser.pk}, survivor
