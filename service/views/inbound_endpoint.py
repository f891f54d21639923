"""The public inbound mail endpoint: mail providers' inbound webhooks (and any MTA pipe)
POST one raw RFC 5322 message to /inbound/mail/<workspace slug>/.

- Authentication: the workspace's endpoint secret as `Authorization: Bearer <secret>`, or
  as the password of HTTP Basic authentication (providers that only take a URL with
  user:password). Wrong or missing: 401, nothing stored.
- Body: the raw message (Content-Type message/rfc822, text/plain or
  application/octet-stream), or multipart/form-data with the message in a field or file
  named `email` (SendGrid), `body-mime` (Mailgun), `raw`, `message` or `mime`. The envelope
  may come as `X-Envelope-From`/`X-Envelope-To` headers or a JSON `envelope` field
  ({"from": …, "to": [...]}).
- Answers JSON {"outcome": created|threaded|forwarded|duplicate|bounce|ignored|review,
  "case": number or null}; 200 for every stored or duplicate message (a provider must not
  retry those), 400 for an empty body, 413 over SERVICE_MAIL_MAX_MESSAGE_BYTES.
"""

import base64
import binascii
import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from workspaces.models import Workspace
from workspaces.scoping import workspace_scope

from ..services.inbound import inbound_ingest
from ..services.inbound_settings import inbound_secret_check

FIELDS = ("email", "body-mime", "raw", "message", "mime")


class _TooLarge(Exception):
    pass


def _secret(request) -> str:
    auth = request.headers.get("Authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return decoded.partition(":")[2]
    return ""


def _read_body(request, limit: int) -> bytes:
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > limit:
        raise _TooLarge
    data = request.read(limit + 1)
    if len(data) > limit:
        raise _TooLarge
    return data


def _from_form(request, limit: int) -> tuple[bytes, dict]:
    for name in FIELDS:
        upload = request.FILES.get(name)
        if upload is not None:
            if upload.size > limit:
                raise _TooLarge
            return upload.read(), {}
        if name in request.POST:
            data = request.POST[name].encode("utf-8", "surrogateescape")
            if len(data) > limit:
                raise _TooLarge
            return data, {}
    return b"", {}


def _envelope(request) -> tuple[str | None, list[str]]:
    sender = request.headers.get("X-Envelope-From")
    recipients = [a.strip() for a in request.headers.get("X-Envelope-To", "").split(",") if a]
    if request.content_type == "multipart/form-data" and "envelope" in request.POST:
        try:
            data = json.loads(request.POST["envelope"])
        except ValueError:
            data = {}
        if isinstance(data, dict):
            sender = data.get("from", sender)
            to = data.get("to") or []
            recipients += [to] if isinstance(to, str) else [str(a) for a in to]
    return sender, recipients


@csrf_exempt
@require_POST
def inbound_mail(request, slug: str):
    """Take one raw message for workspace `slug` (see the module's docstring)."""
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        return JsonResponse({"error": "Unknown workspace or wrong secret."}, status=401)
    with workspace_scope(workspace):
        if not inbound_secret_check(workspace=workspace, secret=_secret(request)):
            return JsonResponse({"error": "Unknown workspace or wrong secret."}, status=401)
    limit = settings.SERVICE_MAIL_MAX_MESSAGE_BYTES
    try:
        if request.content_type == "multipart/form-data":
            raw, _unused = _from_form(request, limit)
        else:
            raw = _read_body(request, limit)
        sender, recipients = _envelope(request)
    except (_TooLarge, RequestDataTooBig):
        return JsonResponse(
            {"error": f"The message is larger than {limit} bytes; nothing was stored."},
            status=413,
        )
    if not raw.strip():
        return JsonResponse(
            {"error": f"No message: send it as the body or a form field named one of {FIELDS}."},
            status=400,
        )
    with workspace_scope(workspace):
        result = inbound_ingest(
            workspace=workspace,
            raw=raw,
            envelope_sender=sender,
            envelope_recipients=recipients,
        )
    return JsonResponse(
        {"outcome": result.outcome, "case": result.case.number if result.case else None}
    )
