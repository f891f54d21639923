"""Account pages: list, the account page (details, its contacts, the timeline of all its
contacts), create / edit / delete."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.paging import capped_count
from workspaces.urlnames import workspace_reverse

from ..custom_values import custom_display
from ..filters import AccountFilter
from ..forms.accounts import AccountForm
from ..models import Account, Contact, CustomFieldEntity
from ..registry import account_panels, record_actions
from ..selectors.accounts import account_list
from ..selectors.custom_fields import custom_field_list
from ..services.accounts import account_create, account_delete, account_update
from .contacts import _timeline_context, filtered_list

ACCOUNT_CONTACTS_SHOWN = 25


@workspace_view("contacts.view")
def account_list_view(request):
    workspace = request.workspace
    filterset = AccountFilter(
        request.GET or None, queryset=account_list(workspace=workspace), workspace=workspace
    )
    return filtered_list(
        request,
        filterset,
        template="contacts/account_list.html",
        target="account-results",
        title=_("Accounts"),
    )


@workspace_view("contacts.view")
def account_detail(request, pk):
    account = get_object_or_404(Account.objects.select_related("owner"), pk=pk)
    contacts_qs = Contact.objects.filter(account=account).select_related("owner")
    contacts = list(
        contacts_qs.order_by("last_name", "first_name", "id")[: ACCOUNT_CONTACTS_SHOWN + 1]
    )
    defs = custom_field_list(workspace=request.workspace, entity=CustomFieldEntity.ACCOUNT)
    context = {
        "title": account.name,
        "account": account,
        "contacts": contacts[:ACCOUNT_CONTACTS_SHOWN],
        "more_contacts": len(contacts) > ACCOUNT_CONTACTS_SHOWN,
        "tags": list(account.tags.all()),
        "custom": [(f, custom_display(f, account.custom.get(f.key))) for f in defs],
        "panels": account_panels(
            workspace=request.workspace,
            user=request.user,
            role=request.membership.role,
            account=account,
        ),
        "record_actions": record_actions("account", role=request.membership.role),
        **_timeline_context(request, account=account),
    }
    return render(request, "contacts/account_detail.html", context)


@workspace_view("contacts.edit")
def account_create_view(request):
    workspace = request.workspace
    if request.method == "POST":
        form = AccountForm(request.POST, workspace=workspace)
        if form.is_valid():
            try:
                account = account_create(
                    workspace=workspace, actor=request.user, **form.service_kwargs()
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Account “%(name)s” created.") % {"name": account})
                return redirect(
                    workspace_reverse(workspace, "contacts:account_detail", pk=account.pk)
                )
    else:
        form = AccountForm(
            initial={
                "name": request.GET.get("name", "")[:200],
                "phone": request.GET.get("phone", "")[:32],
                "owner": request.user.pk,
            },
            workspace=workspace,
        )
    return render(
        request,
        "contacts/account_form.html",
        {"title": _("New account"), "form": form, "account": None},
    )


@workspace_view("contacts.edit")
def account_edit(request, pk):
    workspace = request.workspace
    account = get_object_or_404(Account.objects.all(), pk=pk)
    if request.method == "POST":
        form = AccountForm(request.POST, instance=account, workspace=workspace)
        if form.is_valid():
            try:
                account_update(
                    workspace=workspace,
                    actor=request.user,
                    account=account,
                    **form.service_kwargs(),
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Changes saved."))
                return redirect(
                    workspace_reverse(workspace, "contacts:account_detail", pk=account.pk)
                )
        account = Account.objects.get(pk=pk)
    else:
        form = AccountForm(instance=account, workspace=workspace)
    return render(
        request,
        "contacts/account_form.html",
        {"title": _("Edit %(name)s") % {"name": account}, "form": form, "account": account},
    )


@workspace_view("contacts.delete")
def account_delete_view(request, pk):
    account = get_object_or_404(Account.objects.all(), pk=pk)
    if request.method == "POST":
        name = account.name
        account_delete(workspace=request.workspace, actor=request.user, account=account)
        messages.success(request, _("Account “%(name)s” deleted.") % {"name": name})
        return redirect(workspace_reverse(request.workspace, "contacts:account_list"))
    contact_count, capped = capped_count(Contact.objects.filter(account=account), cap=1000)
    return render(
        request,
        "contacts/account_confirm_delete.html",
        {
            "title": _("Delete %(name)s") % {"name": account},
            "account": account,
            "contact_count": contact_count,
            "capped": capped,
        },
    )
