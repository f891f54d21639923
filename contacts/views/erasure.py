""" "Erase personal data" (a button on the contact page, ?contact=<id>): a confirmation page,
then the erasure (owners and admins only)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from workspaces.mixins import workspace_view
from workspaces.urlnames import workspace_reverse

from ..models import Contact
from ..services.erasure import contact_erase


@workspace_view("contacts.erase")
def contact_erase_view(request):
    """GET: what erasing removes and what stays, with the button; POST: erase, back to the
    (now faceless) contact page. Another workspace's contact is a 404."""
    contact_id = request.GET.get("contact") or ""
    if not contact_id.isdigit():
        messages.error(request, _("Choose a contact first."))
        return redirect(workspace_reverse(request.workspace, "contacts:list"))
    contact = get_object_or_404(Contact.objects, pk=contact_id)
    if request.method == "POST":
        contact_erase(workspace=request.workspace, actor=request.user, contact=contact)
        messages.success(request, _("The contact's personal data was erased."))
        return redirect(workspace_reverse(request.workspace, "contacts:detail", pk=contact.pk))
    return render(
        request,
        "contacts/contact_confirm_erase.html",
        {"title": _("Erase personal data of %(name)s") % {"name": contact}, "contact": contact},
    )
