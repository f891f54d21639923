"""The "webhook.call" step: POST a small JSON document about the enrolment to an https URL,
signed as Standard Webhooks specify (the `standardwebhooks` library: headers webhook-id,
webhook-timestamp, webhook-signature; the receiver verifies with the step's secret).

The body names ids only (contact, journey, enrolment, step) unless the step chooses contact
fields to include. The host name is resolved once, when called, and every address it resolves
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
import ipaddress
import json
import secrets
import socket
import ssl
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
MAX_RESPONSE_BYTES = 2000  # of a reply read (and dropped) before the connection is closed

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(Exception):  # noqa: N818 - a reason, not an error of the code
    """The URL may not be called; the message is a short fixed text for the user."""


def secret_new() -> str:
    """A fresh signing secret in the Standard Webhooks form ("whsec_" + base64 of 24 bytes)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _private_allowed() -> bool:
    return getattr(settings, "JOURNEYS_WEBHOOK_ALLOW_PRIVATE", False) is True


def address_allowed(address: Address) -> bool:
    """Whether the step may connect to `address`: `is_global`, and for an IPv6 address that
    carries an IPv4 one (IPv4-mapped ::ffff:a.b.c.d, 6to4 2002::/16, Teredo 2001::/32) the
    carried addresses too (an IPv4-mapped address is judged by its IPv4 alone). Always True
    with JOURNEYS_WEBHOOK_ALLOW_PRIVATE = True."""
    if _private_allowed():
        return True
    candidates = [address]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            candidates = [address.ipv4_mapped]
        if address.sixtofour is not None:
            candidates.append(address.sixtofour)
        if address.teredo is not None:
            candidates.extend(address.teredo)  # (server, client)
    return all(candidate.is_global for candidate in candidates)


def _target(url: str) -> tuple[str, str, int]:
    """(scheme, host name, port) of `url`; AddressRefused when the scheme is not allowed."""
    parts = urlsplit(url or "")
    try:
        port = parts.port
    except ValueError as exc:
        raise AddressRefused(_("Give an https address.")) from exc
    allowed = ("https", "http") if _private_allowed() else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise AddressRefused(_("Give an https address."))
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def resolve_checked(host: str, port: int) -> list[Address]:
    """Every address `host` resolves to (one lookup), in the resolver's order, without
    repeats; AddressRefused when it does not resolve or any address is not allowed
    (`address_allowed`). The caller connects to these addresses only."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise AddressRefused(_("The host name does not resolve.")) from exc
    addresses: list[Address] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address_allowed(address):
            raise AddressRefused(_("address not allowed"))
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise AddressRefused(_("The host name does not resolve."))
    return addresses


def address_problem(url: str, *, resolve: bool = True) -> str | None:
    """Why the step may not call `url` (a short message), or None: https only (http too with
    JOURNEYS_WEBHOOK_ALLOW_PRIVATE = True), and with `resolve` every address the host name
    resolves to must pass `address_allowed`."""
    try:
        _scheme, host, port = _target(url)
        if resolve:
            resolve_checked(host, port)
    except AddressRefused as exc:
        return str(exc)
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


class PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to the host name `host` (Host header) whose socket goes to
    `address`, the one checked, without resolving the name again."""

    def __init__(self, host: str, port: int, *, address: Address, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def _socket(self) -> socket.socket:
        return socket.create_connection((str(self.address), self.port), self.timeout)

    def connect(self):
        self.sock = self._socket()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class PinnedHTTPSConnection(PinnedHTTPConnection):
    """As PinnedHTTPConnection, over TLS: the certificate is verified for the host name
    (server_hostname = the name, the default CA store), never for the address."""

    default_port = http.client.HTTPS_PORT

    def connect(self):
        sock = self._socket()
        try:
            self.sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


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


def _post(url: str, body: bytes, headers: dict, timeout: float) -> int:
    """POST `body` to `url` through a pinned connection to the first checked address that
    accepts one; the reply's status. AddressRefused, or the OSError/HTTPException of the
    last address tried."""
    scheme, host, port = _target(url)
    addresses = resolve_checked(host, port)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = PinnedHTTPSConnection if scheme == "https" else PinnedHTTPConnection
    error: Exception | None = None
    for address in addresses:
        connection = connection_class(host, port, address=address, timeout=timeout)
        try:
            connection.connect()
        except (ssl.SSLError, ssl.CertificateError):
            connection.close()
            raise  # the certificate is the same on every address
        except OSError as exc:
            connection.close()
            error = exc
            continue
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read(MAX_RESPONSE_BYTES)  # dropped: never stored nor shown
            return response.status
        finally:
            connection.close()
    raise error if error is not None else ConnectionError()  # no address: cannot happen


def _reason(exc: BaseException) -> str:
    """A short fixed text for a failed connection (never the exception's own text)."""
    if isinstance(exc, TimeoutError):
        return _("timeout")
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return _("TLS error")
    if isinstance(exc, ConnectionRefusedError):
        return _("connection refused")
    if isinstance(exc, http.client.HTTPException):
        return _("invalid reply")
    return _("connection error")


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
        status = _post(url, body.encode(), headers, timeout)
    except AddressRefused as exc:
        raise StepFailed(str(exc)) from exc
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise StepRetry(_reason(exc)) from exc
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
