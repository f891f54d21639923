"""The public "contact us / complaint" form (outside /w/). The workspace comes from the
signed form id, never a session; a honeypot field and a rate limit per form and client
address keep bots out (as the web-to-lead form does)."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited

from workspaces.client_address import client_bucket
from workspaces.scoping import workspace_scope

from ..forms.web_form import PublicCaseForm
from ..services import web_form as web_form_services

CASE_FORM_RATE = "5/10m"


def _rate_limited(request, form_row) -> bool:
    return is_ratelimited(
        request,
        group="service.case_form",
        key=lambda group, req: f"{form_row.pk}:{client_bucket(req)}",
        rate=CASE_FORM_RATE,
        method="POST",
        increment=True,
    )


@csrf_exempt  # anonymous, embedded on other sites; guarded by the signed id, honeypot, rate limit
@xframe_options_exempt
def case_form(request, token):
    """Unknown or retired ids are 404; a switched-off form is 410 and stores nothing; more
    than CASE_FORM_RATE submissions per form and client address are 429."""
    form_row = web_form_services.case_web_form_from_token(token)
    if form_row is None:
        raise Http404("Unknown form.")
    workspace = form_row.workspace
    ctx = {
        "workspace_public": workspace,
        "embed": request.GET.get("embed") == "1",
        "title": _("Contact us"),
    }
    if not form_row.enabled:
        return render(request, "service/public/case_form_off.html", ctx, status=410)
    form = PublicCaseForm(request.POST or None)
    if request.method == "POST":
        if _rate_limited(request, form_row):
            ctx.update(form=form, limited=True)
            return render(request, "service/public/case_form.html", ctx, status=429)
        if form.is_valid():
            data = form.cleaned_data
            if data.pop("website_url"):  # a bot filled the hidden field: store nothing
                return render(request, "service/public/case_form_thanks.html", ctx)
            with workspace_scope(workspace):
                try:
                    case = web_form_services.case_web_submit(
                        workspace=workspace, form=form_row, **data
                    )
                except ValidationError as exc:
                    for field, errors in getattr(
                        exc, "message_dict", {"__all__": exc.messages}
                    ).items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    ctx["case_number"] = case.number
                    return render(request, "service/public/case_form_thanks.html", ctx)
    ctx["form"] = form
    return render(request, "service/public/case_form.html", ctx)
