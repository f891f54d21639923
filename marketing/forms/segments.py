"""Forms of the segment pages: the segment's name and kind (its rules come from the builder,
contacts.segment_builder), and the static list's fillers (a contact picked by name, another
segment's snapshot, a CSV of email addresses)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.models import Contact
from workspaces.forms import SafeModelChoiceField, WorkspaceForm
from workspaces.widgets import AutocompleteSelect

from ..models import Segment


class SegmentForm(WorkspaceForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MemberAddForm(WorkspaceForm):
    contact = SafeModelChoiceField(
        label=_("Contact"),
        queryset=Contact.objects.none(),
        widget=AutocompleteSelect("contacts:contact_pick", attrs={"data-testid": "pick-contact"}),
    )


class SnapshotForm(WorkspaceForm):
    source = SafeModelChoiceField(label=_("Everyone currently in"), queryset=Segment.objects.none())

    def __init__(self, *args, exclude_pk=None, **kwargs):
        super().__init__(*args, **kwargs)
        if exclude_pk is not None:
            self.fields["source"].queryset = self.fields["source"].queryset.exclude(pk=exclude_pk)


class MemberImportForm(WorkspaceForm):
    file = forms.FileField(
        label=_("CSV of email addresses"),
        help_text=_("One address per row, or a column headed “email”. At most 10 MB."),
    )
