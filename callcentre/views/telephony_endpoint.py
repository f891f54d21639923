"""The public telephony event endpoint: a phone system (or a small adapter beside it) POSTs
events of its calls to /telephony/<workspace slug>/events/.

- Authentication: a Standard Webhooks signature (services/signing.py) made with the
  workspace's event secret (Call centre → Telephony): headers webhook-id, webhook-timestamp
  (Unix seconds, at most 5 minutes off) and webhook-signature. Missing or wrong, or an
  unknown workspace: 401 with one generic message (the answer does not tell which workspace
  slugs exist); the detailed reason goes to the server log only.
- Body: JSON, one event object or a list of at most 500 (services/events.py describes the
  fields), at most 256 KB (413 above, checked before the workspace). Not JSON (also NaN,
  Infinity, nesting too deep) or an invalid event: 400 with the reason, and nothing of the
  request is stored.
- Answer: 200 {"accepted": n, "duplicates": m, "calls": [ids]}; an event delivered before is
  a duplicate (a retry changes nothing).
"""

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from workspaces.models import Workspace
from workspaces.scoping import workspace_scope

from ..services.calls import settings_get
from ..services.events import (
    MAX_BODY_BYTES,
    EventError,
    document_load,
    events_ingest,
    events_parse,
)
from ..services.signing import SignatureError, verify

logger = logging.getLogger(__name__)

_UNKNOWN = "Unknown workspace or wrong signature."


def _unauthorised(slug: str, reason: str) -> JsonResponse:
    logger.warning("Telephony events for %r refused (401): %s", slug, reason)
    return JsonResponse({"error": _UNKNOWN}, status=401)


def _body(request) -> bytes | None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0  # as Django's own request stream reads a malformed header
    if length > MAX_BODY_BYTES:
        return None
    data = request.read(MAX_BODY_BYTES + 1)
    return None if len(data) > MAX_BODY_BYTES else data


@csrf_exempt  # a machine client without a session; guarded by the HMAC signature
@require_POST
def telephony_events(request, slug: str):
    """Take the telephony events of workspace `slug` (see the module's docstring)."""
    try:
        body = _body(request)
    except RequestDataTooBig:
        body = None
    if body is None:
        return JsonResponse(
            {"error": f"The body is larger than {MAX_BODY_BYTES} bytes; nothing was stored."},
            status=413,
        )
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        return _unauthorised(slug, "unknown workspace")
    with workspace_scope(workspace):
        secret = settings_get(workspace=workspace).event_secret
        try:
            verify(secret=secret, headers=request.headers, body=body)
        except SignatureError as exc:
            return _unauthorised(slug, str(exc))
        try:
            events = events_parse(document_load(body))
        except EventError as exc:
            return JsonResponse({"error": f"{exc}; nothing was stored."}, status=400)
        result = events_ingest(workspace=workspace, events=events)
    return JsonResponse(result.as_dict())
