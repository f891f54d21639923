"""Public endpoints of marketing content (outside /w/; the workspace is named in the path
and every read happens in its scope):

- /ma/<ws>/<signed id>/<name>: an asset, as mail clients fetch it (no login). Served with
  its sniffed type, `X-Content-Type-Options: nosniff`, a sandboxing CSP, inline only for
  images (everything else as an attachment).
- /mb/<ws>/bounces/: the inbound bounce/complaint endpoint for the mail relay (POST, no
  session, CSRF-exempt), authenticated by the workspace's secret as
  `Authorization: Bearer <secret>`. A raw MIME report (DSN or ARF) or the JSON webhook
  (Content-Type application/json, workspaces.mail.dsn). ?recipient=<envelope recipient>
  helps find the VERP token when the relay knows it.
"""

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import FileResponse, Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from workspaces.mail.dsn import ReportError, parse_report, parse_webhook
from workspaces.models import Workspace
from workspaces.scoping import workspace_scope

from ..asset_urls import asset_id_from_token
from ..models import Asset, BounceSettings
from ..services.bounces import bounce_report_record, mailto_unsubscribe_record
from ..services.content import INLINE_TYPES


def _workspace(slug: str) -> Workspace:
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise Http404
    return workspace


@require_safe
def asset_file(request, ws, token, name):
    """One asset's file (404 for a bad signature, another workspace's id or a wrong name)."""
    asset_id = asset_id_from_token(token)
    if asset_id is None:
        raise Http404
    workspace = _workspace(ws)
    with workspace_scope(workspace):
        asset = Asset.objects.filter(pk=asset_id).first()
        if asset is None or asset.file.name.rsplit("/", 1)[-1] != name:
            raise Http404
        try:
            handle = asset.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
    inline = asset.content_type in INLINE_TYPES
    response = FileResponse(
        handle, content_type=asset.content_type, as_attachment=not inline, filename=name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=86400"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def _authorised(request, workspace) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _sep, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return False
    row = BounceSettings.objects.filter(workspace=workspace).first()
    return row is not None and hmac.compare_digest(row.secret.encode(), given.strip().encode())


@csrf_exempt  # a relay posts here without a session; the workspace's secret authenticates it
@require_POST
def bounces(request, ws):
    """Record a bounce/complaint report. 200 {"outcomes": [{"recipient", "result", "reason",
    "delivery"}]}; 401 without the right secret; 400 {"error"} for a payload that cannot be
    read (a JSON webhook with a wrong shape); 413 {"error"} for a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE; a mail that is no report answers 200 with no
    outcomes (so a relay does not retry an out-of-office reply forever)."""
    workspace = _workspace(ws)
    with workspace_scope(workspace):
        if not _authorised(request, workspace):
            return JsonResponse({"error": "unauthorised"}, status=401)
        try:
            body = request.body  # Django refuses more than DATA_UPLOAD_MAX_MEMORY_SIZE
        except RequestDataTooBig:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return JsonResponse(
                {"error": f"The body is larger than {limit} bytes; nothing was recorded."},
                status=413,
            )
        digest = hashlib.sha256(body).hexdigest()
        is_json = request.content_type == "application/json"
        try:
            if is_json:
                reports = parse_webhook(body)
            else:
                reports = [parse_report(body, envelope_to=request.GET.get("recipient", ""))]
        except ReportError as exc:
            return JsonResponse({"error": str(exc)}, status=400)
        outcomes = []
        for index, report in enumerate(reports):
            unsubscribed = mailto_unsubscribe_record(workspace=workspace, report=report)
            if unsubscribed is not None:
                outcomes.append(unsubscribed)
                continue
            outcomes += bounce_report_record(
                workspace=workspace,
                report=report,
                source="webhook" if is_json else report.kind,
                raw_digest=f"{digest}:{index}",
            )
    return JsonResponse(
        {
            "outcomes": [
                {
                    "recipient": o.recipient,
                    "result": o.result,
                    "reason": o.reason,
                    "delivery": o.delivery_id,
                }
                for o in outcomes
            ]
        }
    )
