"""The real client address behind reverse proxies (workspaces.client_address)."""

import pytest
from django.test import RequestFactory

from workspaces.client_address import client_bucket, client_ip

PROXY = "10.0.0.2"


def request(remote="198.51.100.7", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_connecting_address_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request()) == "198.51.100.7"
    assert client_ip(request(forwarded="203.0.113.1")) == "198.51.100.7"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "client"),
    [
        (1, "203.0.113.1", "203.0.113.1"),
        # entries left of the one our proxy wrote come from the client: ignored
        (1, "192.0.2.66, 203.0.113.1", "203.0.113.1"),
        (1, "192.0.2.66,203.0.113.1", "203.0.113.1"),
        # two proxies (load balancer, then nginx): the load balancer's entry is the last
        (2, "192.0.2.66, 203.0.113.1, 10.0.0.9", "203.0.113.1"),
        (1, "[2001:db8::5]:4711", "2001:db8::5"),
        # garbage the client wrote does not push the real entry aside
        (1, "junk, 203.0.113.1", "203.0.113.1"),
    ],
)
def test_behind_trusted_proxies_the_entry_the_nearest_proxy_wrote_is_the_client(
    settings, proxies, forwarded, client
):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(request(remote=PROXY, forwarded=forwarded)) == client


@pytest.mark.parametrize("forwarded", [None, "", "not-an-address"])
def test_a_missing_or_broken_header_falls_back_to_the_connecting_address(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request(remote=PROXY, forwarded=forwarded)) == PROXY


def test_too_few_entries_for_the_proxies_falls_back_to_the_connecting_address(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request(remote=PROXY, forwarded="203.0.113.1")) == PROXY


def test_an_ipv6_client_is_counted_by_its_64_network(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_bucket(request(remote="2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64"
    assert client_bucket(request(remote="198.51.100.7")) == "198.51.100.7"
