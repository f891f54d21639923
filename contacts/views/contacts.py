"""Contact pages: list with filters and bulk actions, the 360° contact page, create / edit /
delete, the account suggestion for an email address and the screen pop (lookup by phone).
Thin: parse, call a selector or service, render."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from touchpoints.channels import Channel, ChannelGroup
from touchpoints.registry import timeline_app_choices
from touchpoints.selectors import interaction_timeline, timeline_page
from workspaces.audit import audit_bulk_view, request_address
from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.paging import capped_count, keyset_page
from workspaces.redirects import workspace_next_url
from workspaces.roles import has_perm
from workspaces.urlnames import workspace_reverse

from ..custom_values import custom_display
from ..filters import ContactFilter
from ..forms.contacts import BulkActionForm, ContactForm
from ..models import Account, Contact, CustomFieldEntity
from ..phones import format_phone, parse_phone, try_normalize_phone
from ..registry import (
    BulkResult,
    bulk_action_get,
    bulk_actions,
    caller_lookup_hits,
    contact_panels,
    record_actions,
)
from ..selectors.accounts import (
    account_autofill,
    account_search,
    account_suggest_for_email,
    accounts_by_phone,
)
from ..selectors.contacts import contact_list, contact_search, contacts_by_phone
from ..selectors.custom_fields import custom_field_list
from ..selectors.duplicates import contacts_sharing
from ..selectors.merges import contact_merged_into
from ..services.bulk_jobs import BULK_DELETE_INLINE_MAX
from ..services.contacts import (
    CONTACT_EMAIL_FIELDS,
    CONTACT_PHONE_FIELDS,
    contact_create,
    contact_delete,
    contact_update,
    contact_values_normalize,
)

LIST_PER_PAGE = 50


def filtered_list(request, filterset, *, template: str, target: str, prefetch=(), **context):
    """A filtered list page (contacts, accounts): keyset page, capped count, and only the
    results partial when htmx swaps `target`."""
    qs = filterset.qs
    page = keyset_page(
        qs.prefetch_related(*prefetch),
        order=filterset.order,
        cursor=request.GET.get("cursor"),
        per_page=LIST_PER_PAGE,
    )
    count, capped = capped_count(qs, page=page)
    audit_bulk_view(
        workspace=request.workspace,
        actor=request.user,
        list_name=qs.model._meta.label_lower,
        params=dict(request.GET.lists()),
        rows=len(page),
        ip_address=request_address(request),
    )
    context.update(
        filter=filterset, page=page, count=count, capped=capped, sort_key=filterset.sort_key
    )
    if request.htmx and request.htmx.target == target:
        template += "#results"
    return render(request, template, context)


@workspace_view("contacts.view")
def contact_list_view(request):
    """Contacts with filters, sorting, keyset paging and a capped count."""
    workspace = request.workspace
    filterset = ContactFilter(
        request.GET or None, queryset=contact_list(workspace=workspace), workspace=workspace
    )
    account = None
    if filterset.is_bound and "account" not in filterset.errors:  # errors: the form is cleaned
        account = filterset.form.cleaned_data.get("account")
    return filtered_list(
        request,
        filterset,
        template="contacts/contact_list.html",
        target="contact-results",
        prefetch=("tags",),
        title=_("Contacts"),
        filter_account=account,
        bulk_actions=bulk_actions("contacts", role=request.membership.role),
    )


def _merged_away(request, pk, *, url_name: str):
    """The answer for contact `pk` when it no longer exists: if it was merged into another
    contact (of this workspace), a redirect to that contact's `url_name` page (a GET keeps
    its query string; a POST is not carried over: the page of the survivor opens with a note
    that nothing was saved); else 404."""
    survivor = contact_merged_into(workspace=request.workspace, pk=pk)
    if survivor is None:
        raise Http404(_("No such contact."))
    url = workspace_reverse(request.workspace, url_name, pk=survivor)
    if request.method in ("GET", "HEAD"):
        messages.info(
            request,
            _("Contact #%(old)s was merged into this one.") % {"old": pk},
        )
        query = request.GET.urlencode()
        return redirect(f"{url}?{query}" if query else url)
    messages.warning(
        request,
        _("Contact #%(old)s was merged into this one meanwhile; nothing was saved.") % {"old": pk},
    )
    return redirect(workspace_reverse(request.workspace, "contacts:detail", pk=survivor))


def _timeline_context(request, *, contact=None, account=None) -> dict:
    filters = {k: request.GET.get(k, "") for k in ("group", "channel", "app")}
    qs = interaction_timeline(
        workspace=request.workspace, contact=contact, account=account, **filters
    )
    page = timeline_page(qs, cursor=request.GET.get("cursor"))
    return {
        "timeline": page,
        "timeline_filters": filters,
        "channel_groups": ChannelGroup.choices,
        "channels": Channel.choices,
        "apps": timeline_app_choices(),
    }


@workspace_view("contacts.view")
def contact_detail(request, pk):
    """The 360° view: details, account, owner, consent, custom fields, other apps' panels
    and the timeline (first page; more via the touchpoints timeline fragment). The id of a
    contact merged into another redirects to that one."""
    contact = Contact.objects.select_related("account", "owner").filter(pk=pk).first()
    if contact is None:
        return _merged_away(request, pk, url_name="contacts:detail")
    defs = custom_field_list(workspace=request.workspace, entity=CustomFieldEntity.CONTACT)
    custom = [(f, custom_display(f, contact.custom.get(f.key))) for f in defs]
    context = {
        "title": str(contact),
        "contact": contact,
        "tags": list(contact.tags.all()),
        "custom": custom,
        "panels": contact_panels(
            workspace=request.workspace,
            user=request.user,
            role=request.membership.role,
            contact=contact,
        ),
        "record_actions": record_actions("contact", role=request.membership.role),
        **_timeline_context(request, contact=contact),
    }
    return render(request, "contacts/contact_detail.html", context)


def _prefill(request) -> dict:
    """Initial values for a new contact from the query string (?account=, ?phone=, ?email=).
    The owner is the current user, or the account's owner when started from an account that
    has one."""
    initial = {"owner": request.user.pk}
    account_id = request.GET.get("account", "")
    if account_id.isdigit():
        account = Account.objects.filter(pk=account_id).first()
        if account is not None:
            values = account_autofill(account)
            initial["account"] = account.pk
            if values["owner"]:
                initial["owner"] = values["owner"]
    for name in ("phone", "mobile", "email", "first_name", "last_name"):
        if request.GET.get(name):
            initial[name] = request.GET[name][:254]
    return initial


def _prepare_contact_form(request, form):
    form.fields["email"].widget.attrs.update(
        {
            "hx-get": workspace_reverse(request.workspace, "contacts:account_suggest"),
            "hx-trigger": "input changed delay:400ms, change",
            "hx-target": "#account-suggestion",
            "hx-swap": "innerHTML",
        }
    )
    return form


DUPLICATE_WARNING_MAX = 5


def _form_duplicates(request, form, contact=None) -> list:
    """Other contacts holding an email address or phone number the form enters, matched as
    the duplicate finder matches (contacts_sharing: email/email2, phone/mobile); [] once the
    user chose "Save anyway" (`confirm_duplicate`). Editing, only values that change are
    looked up (a duplicate known before does not stop every save). A value that does not
    normalise is left to the service's error."""
    if request.POST.get("confirm_duplicate"):
        return []
    found: dict[str, set] = {"email": set(), "phone": set()}
    for family, names in (("email", CONTACT_EMAIL_FIELDS), ("phone", CONTACT_PHONE_FIELDS)):
        for name in names:
            try:
                value = contact_values_normalize(
                    {name: form.cleaned_data.get(name) or ""}, region=request.workspace.country
                )[name]
            except ValidationError:
                continue
            if value and (contact is None or value not in {getattr(contact, n) for n in names}):
                found[family].add(value)
    return contacts_sharing(
        workspace=request.workspace,
        emails=found["email"],
        phones=found["phone"],
        exclude_pk=contact.pk if contact is not None else None,
        limit=DUPLICATE_WARNING_MAX,
    )


@workspace_view("contacts.edit")
def contact_create_view(request):
    workspace = request.workspace
    duplicates = []
    if request.method == "POST":
        form = ContactForm(request.POST, workspace=workspace)
        if form.is_valid() and not (duplicates := _form_duplicates(request, form)):
            try:
                contact = contact_create(
                    workspace=workspace, actor=request.user, **form.service_kwargs()
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Contact “%(name)s” created.") % {"name": contact})
                return redirect(workspace_reverse(workspace, "contacts:detail", pk=contact.pk))
    else:
        form = ContactForm(initial=_prefill(request), workspace=workspace)
    return render(
        request,
        "contacts/contact_form.html",
        {
            "title": _("New contact"),
            "form": _prepare_contact_form(request, form),
            "contact": None,
            "duplicates": duplicates,
        },
    )


@workspace_view("contacts.edit")
def contact_edit(request, pk):
    workspace = request.workspace
    contact = Contact.objects.select_related("account").filter(pk=pk).first()
    if contact is None:
        return _merged_away(request, pk, url_name="contacts:edit")
    duplicates = []
    if request.method == "POST":
        form = ContactForm(request.POST, instance=contact, workspace=workspace)
        if form.is_valid() and not (duplicates := _form_duplicates(request, form, contact)):
            try:
                contact_update(
                    workspace=workspace,
                    actor=request.user,
                    contact=contact,
                    **form.service_kwargs(),
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Changes saved."))
                return redirect(workspace_reverse(workspace, "contacts:detail", pk=contact.pk))
        contact = Contact.objects.select_related("account").get(pk=pk)  # unchanged for the header
    else:
        form = ContactForm(instance=contact, workspace=workspace)
    return render(
        request,
        "contacts/contact_form.html",
        {
            "title": _("Edit %(name)s") % {"name": contact},
            "form": _prepare_contact_form(request, form),
            "contact": contact,
            "duplicates": duplicates,
        },
    )


@workspace_view("contacts.delete")
def contact_delete_view(request, pk):
    contact = Contact.objects.select_related("account").filter(pk=pk).first()
    if contact is None:  # merged away: its survivor's page, never its delete page
        return _merged_away(request, pk, url_name="contacts:detail")
    if request.method == "POST":
        name = str(contact)
        contact_delete(workspace=request.workspace, actor=request.user, contact=contact)
        messages.success(request, _("Contact “%(name)s” deleted.") % {"name": name})
        return redirect(workspace_reverse(request.workspace, "contacts:list"))
    count = contact.interactions.count()
    return render(
        request,
        "contacts/contact_confirm_delete.html",
        {
            "title": _("Delete %(name)s") % {"name": contact},
            "contact": contact,
            "interaction_count": count,
        },
    )


@workspace_view("contacts.edit")
def contact_bulk(request):
    """Bulk actions on the selected rows, as registered (contacts.registry.bulk_actions): the
    action's permission is checked (403 without it), an action with `confirm` shows the
    confirmation page first, then its handler runs and its message is shown."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    workspace = request.workspace
    form = BulkActionForm(request.POST, workspace=workspace)
    back = workspace_next_url(
        request, request.POST.get("next"), default=workspace_reverse(workspace, "contacts:list")
    )
    action = bulk_action_get("contacts", request.POST.get("action", ""))
    if action is not None and not has_perm(request.membership.role, action.perm):
        raise PermissionDenied
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    ids = form.cleaned_data["ids"]
    if action.confirm and not form.cleaned_data.get("confirm"):
        contacts = list(Contact.objects.filter(pk__in=ids).order_by("last_name", "id")[:20])
        skip = {"csrfmiddlewaretoken", "confirm", "ids", "next", "action"}
        return render(
            request,
            "contacts/contact_bulk_confirm.html",
            {
                "title": action.label,
                "action": action,
                "ids": ids,
                "contacts": contacts,
                "next": back,
                "more": max(0, len(ids) - len(contacts)),
                "background": action.key == "delete" and len(ids) > BULK_DELETE_INLINE_MAX,
                "carry": [
                    (k, v) for k in request.POST if k not in skip for v in request.POST.getlist(k)
                ],
            },
        )
    try:
        result = action.handler(workspace, request.user, ids, form.cleaned_data)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect(back)
    if isinstance(result, BulkResult):
        messages.success(request, result.message)
        return redirect(result.url or back)
    messages.success(request, result)
    return redirect(back)


@workspace_view("contacts.view")
def account_suggest(request):
    """htmx fragment under the email field: the account whose domain matches the address."""
    email = request.GET.get("email", "")
    account = (
        account_suggest_for_email(workspace=request.workspace, email=email)
        if "@" in email
        else None
    )
    return render(request, "contacts/contact_form.html#account_suggestion", {"suggested": account})


@workspace_view("contacts.view")
def account_options(request):
    """htmx fragment: the <option>s of the account select for a typed name (the select
    itself shows only the first accounts when a workspace has many)."""
    query = (request.GET.get("account_q") or request.GET.get("q") or "").strip()
    if len(query) >= 2:
        accounts = account_search(workspace=request.workspace, query=query, limit=50)
    else:
        accounts = []
    return render(
        request,
        "contacts/contact_form.html#account_options",
        {"accounts": accounts, "query": query},
    )


def caller_id(raw: str) -> str:
    """The caller id of a screen-pop URL as the phone system meant it. Phone systems put the
    number into the URL unencoded, so the "+" of "+442079460018" arrives as a space
    (form encoding): a value that starts with a space and then a digit other than 0 had a
    "+" there. Everything else ("0049…", "030 1234567", "%2B44…") is read as it is."""
    text = (raw or "").strip()
    if raw[:1].isspace() and text[:1].isdigit() and text[:1] != "0":
        return f"+{text}"
    return text


def _phone_problem(phone: str, region: str) -> str:
    """Why `phone` is no number the lookup can search ("" when it is one)."""
    try:
        parse_phone(phone, region)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


@workspace_view("contacts.view")
def lookup(request):
    """Screen pop: /w/<slug>/lookup?phone=<any format>. One contact: their card with recent
    history; several: a short list; none: "create contact" with the number filled in.
    The number is read with the workspace's country and matched against phone and mobile
    (extensions aside); an unencoded "+" (a space) and the 00 prefix are understood
    (`caller_id`). ?q= searches names and email addresses too."""
    workspace = request.workspace
    region = workspace.country
    phone = caller_id(request.GET.get("phone", ""))
    query = request.GET.get("q", "").strip()
    context = {
        "title": _("Caller lookup"),
        "phone": phone,
        "query": query,
        "searched": bool(phone or query),
    }
    e164 = try_normalize_phone(phone, region) if phone else None
    if phone:
        context["phone_error"] = "" if e164 else _phone_problem(phone, region)
        contacts = contacts_by_phone(workspace=workspace, phone=phone)
        context["accounts"] = (
            accounts_by_phone(workspace=workspace, phone=phone) if not contacts else []
        )
    elif query:
        e164 = try_normalize_phone(query, region) if any(ch.isdigit() for ch in query) else None
        contacts = contact_search(workspace=workspace, query=query, limit=20)
        context["accounts"] = []
    else:
        contacts = []
        context["accounts"] = []
    context.update(
        contacts=contacts,
        e164=e164,
        e164_display=format_phone(e164 or ""),
        phone_invalid=bool(phone and not e164),
    )
    context["other_hits"] = (
        caller_lookup_hits(workspace=workspace, role=request.membership.role, e164=e164)
        if phone and e164
        else []
    )
    if len(contacts) == 1:
        contact = contacts[0]
        qs = interaction_timeline(workspace=workspace, contact=contact)
        context.update(
            contact=contact,
            recent=timeline_page(qs, per_page=10),
            tags=list(contact.tags.all()),
        )
    create_params = {}
    if e164:
        create_params["phone"] = format_phone(e164)
    elif query and "@" in query:
        create_params["email"] = query
    context["create_query"] = urlencode(create_params)
    return render(request, "contacts/lookup.html", context)
