"""The "webhook.call" step: POST a small JSON document about the enrolment to an https URL,
signed as Standard Webhooks specify (the `standardwebhooks` library: headers webhook-id,
webhook-timestamp, webhook-signature; the receiver verifies with the step's secret).

The body names ids only (contact, journey, enrolment, step) unless the step chooses contact
fields to include. The URL must not lead to a private, loopback, link-local or reserved
address (checked when saved and again, after resolving the name, when called), unless
JOURNEYS_WEBHOOK_ALLOW_PRIVATE is set; with DEBUG, loopback is allowed (development and
tests), and then plain http too. Redirects are not followed. 2xx: done; 5xx, a timeout or a
connection error: StepRetry; any other status: StepFailed."""

import base64
import datetime
import ipaddress
import json
import secrets
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _, gettext_lazy
from standardwebhooks.webhooks import Webhook

from .params import StepParamsForm, contact_now
from .registry import StepContext, StepFailed, StepOutcome, StepRetry, StepType

CONTACT_FIELDS = [
    ("email", gettext_lazy("Email address")),
    ("first_name", gettext_lazy("First name")),
    ("last_name", gettext_lazy("Last name")),
    ("lifecycle_stage", gettext_lazy("Lifecycle stage")),
]
MAX_RESPONSE_BYTES = 2000  # of an error response kept for the enrolment's error


def secret_new() -> str:
    """A fresh signing secret in the Standard Webhooks form ("whsec_" + base64 of 24 bytes)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _loopback_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "JOURNEYS_WEBHOOK_ALLOW_PRIVATE", False))


def _private_allowed() -> bool:
    return bool(getattr(settings, "JOURNEYS_WEBHOOK_ALLOW_PRIVATE", False))


def address_problem(url: str, *, resolve: bool = True) -> str | None:
    """Why the step may not call `url` (a message), or None. Checks the scheme (https; http
    only where loopback is allowed), and every address the host name resolves to (with
    `resolve`): loopback only with DEBUG or the setting, private/link-local/reserved/
    multicast only with JOURNEYS_WEBHOOK_ALLOW_PRIVATE."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return _("Give an https address.")
    if parts.scheme == "http" and not _loopback_allowed():
        return _("Give an https address.")
    if not resolve:
        return None
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError:
        return _("The host name does not resolve.")
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if address.is_loopback:
            if not _loopback_allowed():
                return _("The address leads to this machine (loopback).")
            continue
        if (
            address.is_private
            or address.is_link_local
            or address.is_reserved
            or address.is_multicast
            or address.is_unspecified
        ) and not _private_allowed():
            return _("The address leads into a private network.")
    if parts.scheme == "http" and not all(
        ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback for info in infos
    ):
        return _("Give an https address.")
    return None


class WebhookForm(StepParamsForm):
    url = forms.URLField(label=gettext_lazy("URL"), max_length=2000, assume_scheme="https")
    secret = forms.CharField(
        label=gettext_lazy("Signing secret"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Empty: a new one is made. The receiver checks signatures with it."),
    )
    include = forms.MultipleChoiceField(
        label=gettext_lazy("Also send"),
        choices=CONTACT_FIELDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Without these, only ids leave the CRM."),
    )

    def clean_url(self):
        url = self.cleaned_data["url"]
        problem = address_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url

    def clean_secret(self):
        secret = (self.cleaned_data.get("secret") or "").strip() or secret_new()
        try:
            Webhook(secret)
        except Exception as exc:  # the library refuses a secret that is not base64
            raise forms.ValidationError(_("Not a valid signing secret.")) from exc
        return secret


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx comes back as an HTTPError: the step fails, naming it


_opener = urllib.request.build_opener(_NoRedirects)


def payload(ctx: StepContext, include) -> dict:
    """The JSON document the step posts (ids, plus the chosen contact fields)."""
    data = {
        "contact_id": ctx.contact.pk,
        "journey_id": ctx.journey.pk,
        "enrolment_id": ctx.enrolment.pk,
        "step": ctx.step.key,
        "workspace": ctx.workspace.slug,
    }
    if include:
        contact = contact_now(ctx)
        data["contact"] = {name: getattr(contact, name) for name in include}
    return {"type": "journey.step", "timestamp": ctx.now.isoformat(), "data": data}


def run(ctx: StepContext) -> StepOutcome:
    """Post the payload, signed; the webhook-id is the same on every retry of one step for
    one enrolment ("jstep_<enrolment>_<step>"), so a receiver can drop repeats."""
    params = ctx.step.params or {}
    url, secret = params.get("url") or "", params.get("secret") or ""
    problem = address_problem(url)
    if problem:
        raise StepFailed(problem)
    body = json.dumps(payload(ctx, params.get("include") or []), cls=DjangoJSONEncoder)
    message_id = f"jstep_{ctx.enrolment.pk}_{ctx.step.key}"
    sent_at = datetime.datetime.now(tz=datetime.UTC)
    try:
        signature = Webhook(secret).sign(message_id, sent_at, body)
    except Exception as exc:
        raise StepFailed(_("The step's signing secret is not valid.")) from exc
    request = urllib.request.Request(  # noqa: S310 - the scheme was checked: http(s) only
        url,
        data=body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "CRM-journeys/1",
            "webhook-id": message_id,
            "webhook-timestamp": str(int(sent_at.timestamp())),
            "webhook-signature": signature,
        },
    )
    timeout = float(getattr(settings, "JOURNEYS_WEBHOOK_TIMEOUT", 5.0))
    try:
        with _opener.open(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        text = exc.read(MAX_RESPONSE_BYTES).decode(errors="replace")
        reason = f"HTTP {exc.code}: {text}".strip()
        if exc.code >= 500 or exc.code == 429:
            raise StepRetry(reason) from exc
        raise StepFailed(reason) from exc
    except (TimeoutError, urllib.error.URLError, OSError) as exc:
        raise StepRetry(
            _("No answer from %(url)s: %(error)s") % {"url": url, "error": exc}
        ) from exc
    return StepOutcome(data={"status": status, "webhook_id": message_id})


def summary(params: dict) -> str:
    """ "Call https://host/…" (the host only)."""
    return _("Call a webhook at %(host)s") % {"host": urlsplit(params.get("url") or "").hostname}


STEP_TYPE = StepType(
    key="webhook.call",
    label=gettext_lazy("Call a webhook"),
    run=run,
    params_form=WebhookForm,
    summary=summary,
)
