"""Forms of the import pages: the upload and the column mapping (with what applies to all
rows: owner, tags, lifecycle stage)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from workspaces.forms import MemberChoiceField, WorkspaceForm

from ..dates import DateOrder, workspace_date_order
from ..forms.contacts import TagsField
from ..models import CustomFieldEntity, DedupeMode, ImportJob, LifecycleStage, Tag
from .jobs import mapping_problems
from .mapping import target_fields


class ImportUploadForm(WorkspaceForm):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_(
            "CSV in any common encoding (UTF-8, UTF-16, Windows-1252, Mac Roman…), separated "
            "by commas, semicolons or tabs; or .xlsx. The first row names the columns."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx,text/csv"}),
        allow_empty_file=True,  # the service explains why an empty file cannot be imported
    )
    entity = forms.ChoiceField(
        label=_("The file holds"),
        choices=CustomFieldEntity.choices,
        initial=CustomFieldEntity.CONTACT,
    )


class ImportMappingForm(WorkspaceForm):
    """One select per column of the file, the dedupe mode, and what applies to every row
    the import writes: an owner (a member), tags, a lifecycle stage (contacts)."""

    dedupe_mode = forms.ChoiceField(
        label=_("When a contact with the same email or phone exists"),
        choices=DedupeMode.choices,
        widget=forms.RadioSelect,
    )
    owner = MemberChoiceField(
        label=_("Owner of all rows"),
        required=False,
        empty_label=_("— keep or leave empty —"),
    )
    tags = TagsField(
        label=_("Tags for all rows"),
        required=False,
        help_text=_("Separate with commas; added to every contact the import creates or updates."),
    )
    lifecycle_stage = forms.ChoiceField(
        label=_("Lifecycle stage of all rows"),
        choices=[("", _("— from the file, or the default —")), *LifecycleStage.choices],
        required=False,
        help_text=_("A stage column in the file wins over this."),
    )
    date_order = forms.ChoiceField(
        label=_("Dates in the file are written"),
        choices=DateOrder.choices,
        required=False,  # not sent: the job's choice stays
        help_text=_(
            "Decides dates such as 03/04/1970 that could be either way round. ISO dates "
            "(1970-04-03), dotted dates (03.04.1970) and month names are read either way."
        ),
    )

    def __init__(self, *args, job: ImportJob, **kwargs):
        self.job = job
        super().__init__(*args, workspace=job.workspace, **kwargs)
        choices = [
            ("", _("— do not import —")),
            *target_fields(workspace=job.workspace, entity=job.entity).items(),
        ]
        self.column_names = []
        for index, header in enumerate(job.headers):
            name = f"col_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header or _("Column %(n)s") % {"n": index + 1},
                choices=choices,
                required=False,
                initial=job.mapping.get(str(index), ""),
            )
            self.column_names.append(name)
        self.fields["dedupe_mode"].initial = job.dedupe_mode
        self.fields["owner"].initial = job.owner_id
        self.fields["lifecycle_stage"].initial = job.lifecycle_stage
        if job.tag_ids:
            names = Tag.objects.filter(pk__in=job.tag_ids).values_list("name", flat=True)
            self.fields["tags"].initial = ", ".join(names)
        if job.entity != CustomFieldEntity.CONTACT:
            del self.fields["lifecycle_stage"]
            self.fields["tags"].help_text = _("Separate with commas.")
        self.fields["date_order"].initial = job.date_order
        automatic = workspace_date_order(job.workspace)
        self.fields["date_order"].choices = [
            (
                value,
                _("Automatic: %(order)s") % {"order": DateOrder(automatic).label}
                if value == DateOrder.AUTO
                else label,
            )
            for value, label in DateOrder.choices
        ]
        self.order_fields([*self.column_names, "dedupe_mode", "date_order"])

    @property
    def row_defaults(self) -> dict:
        """The cleaned owner, tags and lifecycle stage, as import_job_configure takes them."""
        data = getattr(self, "cleaned_data", {})
        return {
            "owner": data.get("owner"),
            "tags": data.get("tags") or [],
            "lifecycle_stage": data.get("lifecycle_stage") or "",
        }

    @property
    def column_fields(self):
        return [self[name] for name in self.column_names]

    def clean_date_order(self):
        return self.cleaned_data.get("date_order") or self.job.date_order

    def clean(self):
        cleaned = super().clean()
        mapping = self.mapping()
        for index, message in mapping_problems(job=self.job, mapping=mapping).items():
            if index:
                self.add_error(f"col_{index}", message)
            else:
                raise ValidationError(message)
        return cleaned

    def mapping(self) -> dict[str, str]:
        data = getattr(self, "cleaned_data", {})
        return {
            name.removeprefix("col_"): data.get(name, "")
            for name in self.column_names
            if data.get(name)
        }
