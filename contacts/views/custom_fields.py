"""Settings page of the workspace's custom fields on contacts and accounts."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.roles import has_perm
from workspaces.urlnames import workspace_reverse

from ..forms.custom_fields import CustomFieldEditForm, CustomFieldForm
from ..models import CustomField
from ..services.custom_fields import custom_field_define, custom_field_delete, custom_field_update


@workspace_view("contacts.view", write_perm="contacts.configure")
def custom_fields(request):
    """List the custom fields and define a new one."""
    workspace = request.workspace
    may_configure = has_perm(request.membership.role, "contacts.configure")
    form = CustomFieldForm(request.POST or None, workspace=workspace)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            field = custom_field_define(
                workspace=workspace,
                actor=request.user,
                entity=data["entity"],
                label=data["label"],
                key=data.get("key") or "",
                field_type=data["field_type"],
                choices=data.get("choices") or "",
                required=data.get("required", False),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Custom field “%(label)s” added.") % {"label": field.label})
            return redirect(workspace_reverse(workspace, "contacts:custom_fields"))
    fields = list(CustomField.objects.order_by("entity", "position", "id"))
    return render(
        request,
        "contacts/custom_fields.html",
        {
            "title": _("Custom fields"),
            "form": form,
            "fields": fields,
            "may_configure": may_configure,
        },
    )


@workspace_view("contacts.configure")
def custom_field_edit(request, pk):
    workspace = request.workspace
    field = get_object_or_404(CustomField.objects.all(), pk=pk)
    initial = {
        "label": field.label,
        "choices": "\n".join(str(c) for c in field.choices),
        "required": field.required,
        "position": field.position,
    }
    form = CustomFieldEditForm(request.POST or None, initial=initial, workspace=workspace)
    if field.field_type != "choice":
        del form.fields["choices"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            custom_field_update(
                workspace=workspace,
                actor=request.user,
                field=field,
                label=data["label"],
                choices=data.get("choices"),
                required=data["required"],
                position=data["position"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(workspace_reverse(workspace, "contacts:custom_fields"))
    return render(
        request,
        "contacts/custom_field_form.html",
        {
            "title": _("Edit custom field %(label)s") % {"label": field.label},
            "form": form,
            "field": field,
        },
    )


@workspace_view("contacts.configure")
def custom_field_delete_view(request, pk):
    field = get_object_or_404(CustomField.objects.all(), pk=pk)
    if request.method == "POST":
        custom_field_delete(workspace=request.workspace, actor=request.user, field=field)
        messages.success(request, _("Custom field “%(label)s” deleted.") % {"label": field.label})
        return redirect(workspace_reverse(request.workspace, "contacts:custom_fields"))
    return render(
        request,
        "contacts/custom_field_confirm_delete.html",
        {
            "title": _("Delete custom field %(label)s") % {"label": field.label},
            "field": field,
        },
    )
