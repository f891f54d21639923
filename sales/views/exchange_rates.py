"""Exchange rates (Pipeline → Settings → Exchange rates, managers): the dated rates that
convert amounts in other currencies into the workspace currency on the forecast, the board
and the analyses."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from workspaces.forms import apply_service_errors
from workspaces.mixins import workspace_view
from workspaces.money import Rate, format_rate
from workspaces.urlnames import workspace_reverse

from ..forms.exchange_rates import ExchangeRateForm
from ..models import ExchangeRate
from ..selectors.exchange_rates import exchange_rate_list, exchange_rates_on
from ..services.exchange_rates import exchange_rate_delete, exchange_rate_set


def _page_url(workspace):
    return workspace_reverse(workspace, "sales:exchange_rates")


@workspace_view("sales.configure")
def exchange_rates(request):
    """The workspace's rates, newest first per currency (the one in use today marked), and the
    form that sets one; a rate for a day that has one replaces it."""
    workspace = request.workspace
    form = ExchangeRateForm(request.POST or None, workspace=workspace)
    if request.method == "POST" and form.is_valid():
        try:
            rate = exchange_rate_set(workspace=workspace, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            saved = Rate(
                currency=rate.currency, rate=rate.rate.normalize(), valid_from=rate.valid_from
            )
            messages.success(
                request, _("Rate saved: %(rate)s") % {"rate": saved.describe(workspace.currency)}
            )
            return redirect(_page_url(workspace))
    in_use = {r.currency: r for r in exchange_rates_on(workspace=workspace).rates.values()}
    rows = [
        (
            row,
            format_rate(row.rate.normalize()),
            row.currency in in_use and in_use[row.currency].valid_from == row.valid_from,
        )
        for row in exchange_rate_list(workspace=workspace)[:500]
    ]
    return render(
        request,
        "sales/exchange_rates.html",
        {
            "title": _("Exchange rates"),
            "form": form,
            "rows": rows,
            "currency": workspace.currency,
        },
        status=422 if form.errors else 200,
    )


@workspace_view("sales.configure")
def exchange_rate_remove(request, pk):
    """POST only: delete one rate (the rate before it applies again)."""
    row = get_object_or_404(ExchangeRate, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    exchange_rate_delete(workspace=request.workspace, actor=request.user, rate=row)
    messages.success(request, _("Rate removed."))
    return redirect(_page_url(request.workspace))
