"""The real client address of a request, for every rate limit (login, sign-up, web form).

Behind reverse proxies the connecting address (REMOTE_ADDR) is the proxy's, shared by every
visitor; the client's address is in X-Forwarded-For, which anyone can also write. So the
header is read only as far as `settings.TRUSTED_PROXY_COUNT` says: each trusted proxy appends
the address it saw, and the client is the entry that many places from the right. Entries
further left were written by the client and are ignored. With the default 0 no header is
trusted and the connecting address is the client. django-ipware parses and validates the
header (ports, IPv6 brackets, garbage).
"""

import ipaddress

from django.conf import settings
from ipware import get_client_ip

UNKNOWN = "unknown"
IPV6_BUCKET_PREFIX = 64  # one IPv6 client usually holds a whole /64


def client_ip(request) -> str:
    """The client's IP address as text ("203.0.113.7", "2001:db8::1"), or "unknown".

    Reads X-Forwarded-For only with `TRUSTED_PROXY_COUNT` > 0 and then takes the entry the
    nearest trusted proxy wrote; a request with fewer entries than proxies (a direct
    connection past the proxy) falls back to the connecting address.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    ip = None
    if proxies > 0:
        # ipware counts the proxies *inside* the header: the nearest proxy's own address is
        # REMOTE_ADDR, so the header holds one entry fewer than there are proxies.
        ip, _routable = get_client_ip(
            request,
            proxy_count=proxies - 1,
            request_header_order=["HTTP_X_FORWARDED_FOR"],
            strict=False,
        )
    if ip is None:
        ip, _routable = get_client_ip(request, request_header_order=["REMOTE_ADDR"])
    return ip or UNKNOWN


def client_bucket(request) -> str:
    """The rate-limit bucket of the client: its IPv4 address, or its IPv6 /64 network."""
    ip = client_ip(request)
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        return str(ipaddress.ip_network(f"{ip}/{IPV6_BUCKET_PREFIX}", strict=False))
    return ip
