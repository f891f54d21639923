"""GDPR pages: "Export personal data" on the contact page (a readable page of everything held
about the person, and the ZIP download), the register of privacy requests, and the
workspace's retention settings (owners and admins)."""

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from workspaces.mixins import workspace_view
from workspaces.urlnames import workspace_reverse

from ..forms.privacy import PrivacyRequestForm, RetentionForm
from ..models import Contact, PrivacyRequest
from ..services.privacy import (
    contact_data_export,
    contact_data_page,
    privacy_request_complete,
    privacy_request_create,
    privacy_settings_get,
    retention_update,
)


def _contact_or_redirect(request):
    contact_id = (request.POST.get("contact") or request.GET.get("contact") or "").strip()
    if not contact_id.isdigit():
        return None
    return get_object_or_404(Contact.objects, pk=contact_id)


@workspace_view("contacts.data_export")
def contact_data_export_view(request):
    """GET ?contact=<id>: every section of the person's data as tables (recorded in the audit
    log); POST contact=<id>&download=zip: the ZIP of JSON and CSV files (recorded, and the
    contact's access request completed: a change, so never on a GET a link could trigger).
    Another workspace's contact is a 404."""
    contact = _contact_or_redirect(request)
    if contact is None:
        messages.error(request, _("Choose a contact first."))
        return redirect(workspace_reverse(request.workspace, "contacts:list"))
    if request.method == "POST" and request.POST.get("download") == "zip":
        archive = contact_data_export(
            workspace=request.workspace, actor=request.user, contact=contact
        )
        return FileResponse(
            archive,
            as_attachment=True,
            filename=f"contact-{contact.pk}-personal-data.zip",
            content_type="application/zip",
        )
    sections = contact_data_page(workspace=request.workspace, actor=request.user, contact=contact)
    return render(
        request,
        "contacts/contact_data_export.html",
        {
            "title": _("Personal data of %(name)s") % {"name": contact},
            "contact": contact,
            "sections": sections,
        },
    )


@workspace_view("contacts.privacy")
def privacy_requests_view(request):
    """GET: the register (open first, by due date; overdue ones highlighted) and the form to
    record a request; POST: record one (action "create") or complete one ("complete", id)."""
    form = PrivacyRequestForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST":
        if request.POST.get("action") == "complete":
            row = get_object_or_404(PrivacyRequest.objects, pk=request.POST.get("id") or 0)
            privacy_request_complete(workspace=request.workspace, actor=request.user, request=row)
            messages.success(request, _("The request was marked completed."))
            return redirect(workspace_reverse(request.workspace, "contacts:privacy_requests"))
        if form.is_valid():
            privacy_request_create(
                workspace=request.workspace, actor=request.user, **form.cleaned_data
            )
            messages.success(request, _("The request was recorded."))
            return redirect(workspace_reverse(request.workspace, "contacts:privacy_requests"))
    rows = PrivacyRequest.objects.select_related("contact").order_by("status", "due_at", "id")
    return render(
        request,
        "contacts/privacy_requests.html",
        {"title": _("Privacy requests"), "requests": rows[:500], "form": form},
    )


@workspace_view("contacts.privacy")
def retention_view(request):
    """GET: the workspace's retention rules; POST: save them."""
    current = privacy_settings_get(workspace=request.workspace)
    form = RetentionForm(request.POST or None, instance=current, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        retention_update(
            workspace=request.workspace,
            actor=request.user,
            erase_inactive_months=form.cleaned_data["erase_inactive_months"],
            delete_texts_months=form.cleaned_data["delete_texts_months"],
        )
        messages.success(request, _("The retention rules were saved."))
        return redirect(workspace_reverse(request.workspace, "contacts:retention"))
    return render(request, "contacts/retention.html", {"title": _("Data retention"), "form": form})
