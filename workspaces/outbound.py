"""Outbound HTTP to addresses people type in (journey webhook steps, webhook endpoints):
the checks that keep such a request off the CRM's own network (SSRF), and a POST that
connects to exactly the address that was checked.

The rule: every address a host name resolves to must be globally routable (`ipaddress`
`is_global`, also after unwrapping IPv4-mapped, 6to4 and Teredo forms), so no loopback,
private, CGNAT, link-local (cloud metadata at 169.254.169.254) or reserved address. The name
is resolved once per request and the connection goes to an address of that answer (no second
lookup that a rebinding DNS server could answer differently); TLS is verified for the host
name, which is also the Host header. Redirects are not followed. Only `allow_private=True`
(each caller reads its own setting) lifts the address rule and also allows plain http.

Errors never carry what the remote side answered: `AddressRefused` has a short fixed text
for people, `failure_reason` turns a connection error into one."""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

__all__ = [
    "Address",
    "AddressRefused",
    "PinnedHTTPConnection",
    "PinnedHTTPSConnection",
    "PostResult",
    "address_allowed",
    "address_problem",
    "failure_reason",
    "post",
    "resolve_checked",
    "target",
]

MAX_RESPONSE_BYTES = 2000  # of a reply read (and dropped) before the connection is closed

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# NAT64 (RFC 6052 well-known prefix 64:ff9b::/96; RFC 8215 local-use 64:ff9b:1::/48): on an
# IPv6-only host behind a NAT64 gateway these reach the IPv4 address in their last 32 bits.
NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")
NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")


class AddressRefused(Exception):  # noqa: N818 - a reason, not an error of the code
    """The URL may not be called; the message is a short fixed text for the user."""


def address_allowed(address: Address, *, allow_private: bool = False) -> bool:
    """Whether a request may connect to `address`: `is_global`, and for an IPv6 address that
    carries an IPv4 one (IPv4-mapped ::ffff:a.b.c.d, 6to4 2002::/16, Teredo 2001::/32, NAT64
    64:ff9b::/96) the carried addresses too (an IPv4-mapped or NAT64 address is judged by its
    IPv4 alone); the local-use NAT64 prefix 64:ff9b:1::/48 is refused (its gateway may
    translate to anything). Always True with `allow_private`."""
    if allow_private:
        return True
    candidates = [address]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            candidates = [address.ipv4_mapped]
        if address.sixtofour is not None:
            candidates.append(address.sixtofour)
        if address.teredo is not None:
            candidates.extend(address.teredo)  # (server, client)
        if address in NAT64_LOCAL_USE:
            return False
        if address in NAT64_WELL_KNOWN:
            candidates = [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    return all(candidate.is_global for candidate in candidates)


def target(url: str, *, allow_private: bool = False) -> tuple[str, str, int]:
    """(scheme, host name, port) of `url`. AddressRefused when it has no host or its scheme
    is not https (http too with `allow_private`)."""
    parts = urlsplit(url or "")
    try:
        port = parts.port
    except ValueError as exc:
        raise AddressRefused(_("Give an https address.")) from exc
    allowed = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise AddressRefused(_("Give an https address."))
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def resolve_checked(host: str, port: int, *, allow_private: bool = False) -> list[Address]:
    """Every address `host` resolves to (one lookup), in the resolver's order, without
    repeats. AddressRefused when it does not resolve or any address is not allowed
    (`address_allowed`). The caller connects to these addresses only."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise AddressRefused(_("The host name does not resolve.")) from exc
    addresses: list[Address] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address_allowed(address, allow_private=allow_private):
            raise AddressRefused(_("address not allowed"))
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise AddressRefused(_("The host name does not resolve."))
    return addresses


def address_problem(url: str, *, allow_private: bool = False, resolve: bool = True) -> str | None:
    """Why `url` may not be called (a short message for a form), or None: https only (http
    too with `allow_private`), and with `resolve` every address its host name resolves to
    must pass `address_allowed`. A form check only: the caller of `post` is checked again."""
    try:
        _scheme, host, port = target(url, allow_private=allow_private)
        if resolve:
            resolve_checked(host, port, allow_private=allow_private)
    except AddressRefused as exc:
        return str(exc)
    return None


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


@dataclass(frozen=True)
class PostResult:
    """What a POST got back: the reply's `status` and the `address` it was sent to."""

    status: int
    address: str


def post(
    url: str, body: bytes, headers: dict, *, timeout: float, allow_private: bool = False
) -> PostResult:
    """POST `body` to `url`: the host name is resolved and every address checked now (so a
    name that resolved to a public address yesterday and to 10.0.0.1 today is refused
    today), then the request goes through a pinned connection to the first checked address
    that accepts one. `timeout` is seconds per connect and per read. The reply's body is
    read (at most MAX_RESPONSE_BYTES) and dropped.

    Raises AddressRefused (not allowed, not resolvable, wrong scheme), ssl errors, or the
    OSError/http.client.HTTPException of the last address tried."""
    scheme, host, port = target(url, allow_private=allow_private)
    addresses = resolve_checked(host, port, allow_private=allow_private)
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
            return PostResult(status=response.status, address=str(address))
        finally:
            connection.close()
    raise error if error is not None else ConnectionError()  # no address: cannot happen


def failure_reason(exc: BaseException) -> str:
    """A short fixed text for a failed request (never the exception's own text, which may
    name internal addresses): "timeout", "TLS error", "connection refused", "invalid reply",
    "connection error"."""
    if isinstance(exc, TimeoutError):
        return _("timeout")
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return _("TLS error")
    if isinstance(exc, ConnectionRefusedError):
        return _("connection refused")
    if isinstance(exc, http.client.HTTPException):
        return _("invalid reply")
    return _("connection error")
