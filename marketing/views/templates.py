"""Email templates (Marketing → Email templates): list, create and edit with every problem
shown at its line, a preview for a chosen contact and "send test" to an address."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django_ratelimit.core import is_ratelimited

from workspaces.forms import apply_service_errors
from workspaces.mail_headers import header_text
from workspaces.mixins import workspace_view
from workspaces.roles import has_perm
from workspaces.urlnames import workspace_reverse

from ..areas import AREAS
from ..asset_urls import asset_public_url
from ..forms.content import EmailTemplateForm, PreviewContactForm, TestSendForm
from ..models import EmailTemplate
from ..rendering import (
    PERSONALISATION_FIELDS,
    TemplateError,
    personalisation_values,
    render_message,
)
from ..selectors.content import LIST_LIMIT, asset_list, template_list
from ..services import content as services

# the preview without a contact: a sample for every PERSONALISATION_FIELDS name
SAMPLE_VALUES = {
    "first_name": "Alex",
    "last_name": "Example",
    "full_name": "Dr. Alex Example",
    "salutation": "Ms.",
    "title": "Dr.",
    "email": "alex@example.com",
    "job_title": "Head of Purchasing",
    "company": "Example Ltd",
    "city": "Springfield",
    "country": "US",
    "owner_name": "Sam Seller",
    "owner_email": "sam.seller@example.com",
}


def can_edit(request) -> bool:
    return has_perm(request.membership.role, "marketing.edit")


def _ctx(request, **extra):
    return {
        "areas": AREAS,
        "namespace": "marketing",
        "parent": _("Marketing"),
        "can_edit": can_edit(request),
        **extra,
    }


@require_safe
@workspace_view("marketing.view")
def template_list_page(request):
    """The workspace's email templates."""
    rows = template_list(workspace=request.workspace)[:LIST_LIMIT]
    return render(
        request,
        "marketing/template_list.html",
        _ctx(
            request,
            title=_("Email templates"),
            rows=rows,
            area_key="templates",
            can_edit=can_edit(request),
        ),
    )


def _editor(request, template: EmailTemplate | None):
    workspace = request.workspace
    initial = {k: getattr(template, k) for k in services.TEMPLATE_FIELDS} if template else {}
    form = EmailTemplateForm(request.POST or None, initial=initial, workspace=workspace)
    if request.method == "POST" and form.is_valid():
        try:
            if template is None:
                template = services.template_create(
                    workspace=workspace, actor=request.user, **form.cleaned_data
                )
            else:
                services.template_update(
                    workspace=workspace, actor=request.user, template=template, **form.cleaned_data
                )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Template saved."))
            return redirect(workspace_reverse(workspace, "marketing:template_edit", pk=template.pk))
    assets = [(a, asset_public_url(a, workspace)) for a in asset_list(workspace=workspace)[:50]]
    return render(
        request,
        "marketing/template_edit.html",
        _ctx(
            request,
            title=template.name if template else _("New template"),
            form=form,
            template_obj=template,
            fields=PERSONALISATION_FIELDS,
            assets=assets,
            area_key="templates",
        ),
        status=422 if form.errors else 200,
    )


@workspace_view("marketing.edit")
def template_new(request):
    """Create a template (GET: the empty editor)."""
    return _editor(request, None)


@workspace_view("marketing.view", write_perm="marketing.edit")
def template_edit(request, pk):
    """Edit a template; problems (syntax, unknown fields) shown under their part, by line."""
    return _editor(request, get_object_or_404(EmailTemplate, pk=pk))


@workspace_view("marketing.edit")
def template_remove(request, pk):
    """POST only: delete a template."""
    template = get_object_or_404(EmailTemplate, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.template_delete(workspace=request.workspace, actor=request.user, template=template)
    messages.success(request, _("Template deleted."))
    return redirect(workspace_reverse(request.workspace, "marketing:templates"))


def _values_for(contact) -> dict[str, str]:
    values = personalisation_values(contact) if contact is not None else dict(SAMPLE_VALUES)
    values["unsubscribe_url"] = f"{settings.SITE_URL}/#unsubscribe"
    return values


def _render(template: EmailTemplate, contact):
    try:
        return (
            render_message(
                subject=template.subject,
                html_body=template.html_body,
                text_body=template.text_body,
                values=_values_for(contact),
            ),
            None,
        )
    except TemplateError as exc:
        return None, exc.problems


@workspace_view("marketing.view", write_perm="marketing.edit")
def template_preview(request, pk):
    """The template rendered for a chosen contact (?contact=<id>, the picker; sample values
    without one). POST: send that rendering as a test to an address (rate-limited per user,
    MARKETING_TEST_SEND_RATE), by the configured mailer."""
    workspace = request.workspace
    template = get_object_or_404(EmailTemplate, pk=pk)
    picker = PreviewContactForm(request.GET or None, workspace=workspace)
    contact = picker.cleaned_data.get("contact") if picker.is_valid() else None
    send_form = TestSendForm(
        request.POST or None,
        initial={"contact": contact.pk if contact else None, "to": request.user.email},
        workspace=workspace,
    )
    status = 200
    if request.method == "POST" and send_form.is_valid():
        contact = send_form.cleaned_data.get("contact")
        if is_ratelimited(
            request,
            group="marketing.test_send",
            key="user",
            rate=settings.MARKETING_TEST_SEND_RATE,
            method="POST",
            increment=True,
        ):
            send_form.add_error(None, _("Too many test messages: wait a while and try again."))
            status = 429
        else:
            rendered, problems = _render(template, contact)
            if rendered is None:
                send_form.add_error(None, _("The template has problems; fix them first."))
            else:
                _send_test(rendered, send_form.cleaned_data["to"])
                messages.success(
                    request,
                    _("Test sent to %(to)s.") % {"to": send_form.cleaned_data["to"]},
                )
                url = workspace_reverse(workspace, "marketing:template_preview", pk=pk)
                return redirect(f"{url}?contact={contact.pk}" if contact else url)
    rendered, problems = _render(template, contact)
    return render(
        request,
        "marketing/template_preview.html",
        _ctx(
            request,
            title=_("Preview: %(name)s") % {"name": template.name},
            template_obj=template,
            picker=picker,
            send_form=send_form,
            rendered=rendered,
            problems=problems,
            contact=contact,
            area_key="templates",
        ),
        status=422 if send_form.errors and status == 200 else status,
    )


def _send_test(rendered, to: str) -> None:
    message = EmailMultiAlternatives(
        subject=header_text(
            _("[Test] %(subject)s") % {"subject": rendered.subject}, max_length=300
        ),
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "OOF, AutoReply"},
    )
    if rendered.html:
        message.attach_alternative(rendered.html, "text/html")
    message.send()
