"""Forms of the import pages: the upload and the column mapping."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from workspaces.forms import WorkspaceForm

from ..dates import DateOrder, workspace_date_order
from ..models import CustomFieldEntity, DedupeMode, ImportJob
from .jobs import mapping_problems
from .mapping import target_fields


class ImportUploadForm(WorkspaceForm):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_(
            "UTF-8 or Windows-1252, separated by commas, semicolons or tabs; or .xlsx. "
            "The first row names the columns."
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
    """One select per column of the file, and the dedupe mode."""

    dedupe_mode = forms.ChoiceField(
        label=_("When a contact with the same email or phone exists"),
        choices=DedupeMode.choices,
        widget=forms.RadioSelect,
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
