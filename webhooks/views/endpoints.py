"""The webhooks pages under /w/<slug>/webhooks/ (permission webhooks.manage): the endpoints
with their health, create and edit, the endpoint page (secret, rotate, test event,
deliveries paged and filtered by status), one delivery (request and response summary) and
its replay."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from workspaces.mixins import workspace_view
from workspaces.urlnames import workspace_reverse

from ..forms.endpoints import EndpointForm
from ..models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from ..selectors.endpoints import (
    delivery_get,
    delivery_page,
    endpoint_get,
    endpoint_list,
    endpoints_failing_noticed,
)
from ..services import endpoints as endpoint_services

PERM = "webhooks.manage"


def _endpoint_or_404(request, pk: int) -> WebhookEndpoint:
    try:
        return endpoint_get(workspace=request.workspace, pk=pk)
    except WebhookEndpoint.DoesNotExist:
        raise Http404 from None


def _delivery_or_404(request, pk: int) -> WebhookDelivery:
    try:
        return delivery_get(workspace=request.workspace, pk=pk)
    except WebhookDelivery.DoesNotExist:
        raise Http404 from None


@workspace_view(PERM, write_perm=PERM)
def endpoints(request):
    """The list of endpoints with their health, and the banner of failing ones."""
    return render(
        request,
        "webhooks/endpoints.html",
        {
            "title": _("Webhooks"),
            "rows": endpoint_list(workspace=request.workspace),
            "failing": endpoints_failing_noticed(workspace=request.workspace),
        },
    )


def _form_save(request, form, endpoint=None):
    """Create or change through the service; field errors go back onto the form."""
    data = form.cleaned_data
    fields = {
        "url": data["url"],
        "description": data["description"],
        "event_types": list(data["event_types"]),
        "enabled": data["enabled"],
    }
    try:
        if endpoint is None:
            return endpoint_services.endpoint_create(
                workspace=request.workspace, actor=request.user, **fields
            )
        return endpoint_services.endpoint_update(
            workspace=request.workspace, actor=request.user, endpoint=endpoint, **fields
        )
    except ValidationError as exc:
        for key, errors in exc.message_dict.items():
            form.add_error(key if key in form.fields else None, errors)
        return None


@workspace_view(PERM, write_perm=PERM)
def endpoint_new(request):
    """Subscribe a new URL."""
    form = EndpointForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        endpoint = _form_save(request, form)
        if endpoint is not None:
            messages.success(request, _("The endpoint was added."))
            return redirect(
                workspace_reverse(request.workspace, "webhooks:endpoint", pk=endpoint.pk)
            )
    return render(
        request,
        "webhooks/endpoint_form.html",
        {"title": _("New webhook endpoint"), "form": form, "endpoint": None},
    )


@workspace_view(PERM, write_perm=PERM)
def endpoint_edit(request, pk: int):
    """Change an endpoint's URL, events or whether it is enabled."""
    endpoint = _endpoint_or_404(request, pk)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": endpoint.event_types,
        "enabled": endpoint.enabled,
    }
    form = EndpointForm(request.POST or None, workspace=request.workspace, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and _form_save(request, form, endpoint) is not None
    ):
        messages.success(request, _("Saved."))
        return redirect(workspace_reverse(request.workspace, "webhooks:endpoint", pk=pk))
    return render(
        request,
        "webhooks/endpoint_form.html",
        {"title": _("Edit webhook endpoint"), "form": form, "endpoint": endpoint},
    )


@never_cache  # the page shows the signing secret
@workspace_view(PERM, write_perm=PERM)
def endpoint(request, pk: int):
    """The endpoint: its secret (copy), health, and its deliveries (paged, by status)."""
    row = _endpoint_or_404(request, pk)
    status = request.GET.get("status", "")
    page = delivery_page(
        workspace=request.workspace, endpoint=row, status=status, cursor=request.GET.get("cursor")
    )
    return render(
        request,
        "webhooks/endpoint.html",
        {
            "title": row.description or row.url,
            "endpoint": row,
            "page": page,
            "status": status if status in DeliveryStatus.values else "",
            "statuses": DeliveryStatus.choices,
        },
    )


@workspace_view(PERM, write_perm=PERM)
def endpoint_rotate(request, pk: int):
    """POST: a new secret; the old one keeps signing for 24 hours (GET: the endpoint)."""
    row = _endpoint_or_404(request, pk)
    if request.method != "POST":
        return redirect(workspace_reverse(request.workspace, "webhooks:endpoint", pk=pk))
    endpoint_services.endpoint_secret_rotate(
        workspace=request.workspace, actor=request.user, endpoint=row
    )
    messages.success(
        request,
        _("A new secret was made. The previous one also signs for 24 hours: switch your receiver."),
    )
    return redirect(workspace_reverse(request.workspace, "webhooks:endpoint", pk=pk))


@workspace_view(PERM, write_perm=PERM)
def endpoint_test(request, pk: int):
    """POST: send a test event to the endpoint (GET: the endpoint)."""
    row = _endpoint_or_404(request, pk)
    if request.method != "POST":
        return redirect(workspace_reverse(request.workspace, "webhooks:endpoint", pk=pk))
    try:
        delivery = endpoint_services.endpoint_test_send(
            workspace=request.workspace, actor=request.user, endpoint=row
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(workspace_reverse(request.workspace, "webhooks:endpoint", pk=pk))
    messages.success(request, _("A test event was queued."))
    return redirect(workspace_reverse(request.workspace, "webhooks:delivery", pk=delivery.pk))


@workspace_view(PERM, write_perm=PERM)
def delivery(request, pk: int):
    """One delivery: the request (headers, body) and the last response."""
    row = _delivery_or_404(request, pk)
    return render(
        request,
        "webhooks/delivery.html",
        {
            "title": _("Delivery %(id)s") % {"id": row.pk},
            "delivery": row,
            "endpoint": row.endpoint,
            "body": json.dumps(row.event.payload, indent=2),
            "replayable": row.status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED),
        },
    )


@workspace_view(PERM, write_perm=PERM)
def delivery_replay(request, pk: int):
    """POST: send the delivery's event again (same webhook-id) as a new delivery (GET: the
    delivery)."""
    row = _delivery_or_404(request, pk)
    if request.method != "POST":
        return redirect(workspace_reverse(request.workspace, "webhooks:delivery", pk=pk))
    try:
        replay = endpoint_services.delivery_replay(
            workspace=request.workspace, actor=request.user, delivery=row
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(workspace_reverse(request.workspace, "webhooks:delivery", pk=pk))
    messages.success(request, _("The event is sent again."))
    return redirect(workspace_reverse(request.workspace, "webhooks:delivery", pk=replay.pk))
