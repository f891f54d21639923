"""The "webhook.call" step: POST a small JSON document about the enrolment to an https URL,
signed as Standard Webhooks specify (the `standardwebhooks` library: headers webhook-id,
webhook-timestamp, webhook-signature; the receiver verifies with the step's secret).

The body names ids only (contact, journey, enrolment, step) unless the step chooses contact
fields to include. The request goes through `workspaces.outbound.post` (shared with the
outbound webhooks): the host name is resolved once, when called, and every address it resolves
to must be globally routable (`ipaddress` `is_global`, also after unwrapping IPv4-mapped, 6to4
and Teredo forms): no loopback, private, CGNAT, link-local (cloud metadata) or reserved
address. The connection then goes to exactly the address that was checked (no second lookup
a rebinding DNS server could answer differently); TLS is verified for the host name, which is
also the Host header. Only JOURNEYS_WEBHOOK_ALLOW_PRIVATE = True lifts the address rule and
allows plain http (DEBUG does not). Redirects are not followed.

Outcomes: 2xx: done; 5xx, 429, a timeout or a connection error: StepRetry; any other status:
StepFailed. The stored reason is a short fixed text ("HTTP 503", "timeout", "connection
refused", "TLS error", "address not allowed"), never the reply's body or an exception's text,
so a journey's page does not show what an address answered."""

import base64
import datetime
import http.client
import json
import secrets
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _, gettext_lazy
from standardwebhooks.webhooks import Webhook

from workspaces import outbound

from .params import StepParamsForm, contact_now
from .registry import StepContext, StepFailed, StepOutcome, StepRetry, StepType

CONTACT_FIELDS = [
    ("email", gettext_lazy("Email address")),
    ("first_name", gettext_lazy("First name")),
    ("last_name", gettext_lazy("Last name")),
    ("lifecycle_stage", gettext_lazy("Lifecycle stage")),
]


def secret_new() -> str:
    """A fresh signing secret in the Standard Webhooks form ("whsec_" + base64 of 24 bytes)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _private_allowed() -> bool:
    return getattr(settings, "JOURNEYS_WEBHOOK_ALLOW_PRIVATE", False) is True


def address_problem(url: str, *, resolve: bool = True) -> str | None:
    """Why the step may not call `url` (a short message), or None: https only (http too with
    JOURNEYS_WEBHOOK_ALLOW_PRIVATE = True), and with `resolve` every address the host name
    resolves to must be allowed (`workspaces.outbound.address_allowed`)."""
    return outbound.address_problem(url, allow_private=_private_allowed(), resolve=resolve)


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
    one enrolment ("jstep_<enrolment>_<step>"), so a receiver can drop repeats. Errors carry
    fixed reasons only (see the module's docstring)."""
    params = ctx.step.params or {}
    url, secret = params.get("url") or "", params.get("secret") or ""
    body = json.dumps(payload(ctx, params.get("include") or []), cls=DjangoJSONEncoder)
    message_id = f"jstep_{ctx.enrolment.pk}_{ctx.step.key}"
    sent_at = datetime.datetime.now(tz=datetime.UTC)
    try:
        signature = Webhook(secret).sign(message_id, sent_at, body)
    except Exception as exc:
        raise StepFailed(_("The step's signing secret is not valid.")) from exc
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "CRM-journeys/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature,
    }
    timeout = float(getattr(settings, "JOURNEYS_WEBHOOK_TIMEOUT", 5.0))
    try:
        status = outbound.post(
            url, body.encode(), headers, timeout=timeout, allow_private=_private_allowed()
        ).status
    except outbound.AddressRefused as exc:
        raise StepFailed(str(exc)) from exc
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise StepRetry(outbound.failure_reason(exc)) from exc
    if 200 <= status < 300:
        return StepOutcome(data={"status": status, "webhook_id": message_id})
    reason = f"HTTP {status}"
    if status >= 500 or status == 429:
        raise StepRetry(reason)
    raise StepFailed(reason)  # 3xx (redirects are not followed), 4xx


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
