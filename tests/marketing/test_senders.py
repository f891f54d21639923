"""Sender identities: the form's checks, the throttle fields, and the SPF/DKIM/DMARC check
of the sender domain against a real DNS server on loopback (dnslib), never the internet."""

import socket

import pytest
from django.urls import reverse
from dnslib.server import DNSLogger, DNSServer
from dnslib.zoneresolver import ZoneResolver

from marketing.deliverability import domain_check
from marketing.models import SenderIdentity
from tests.marketing.factories import CampaignFactory, SenderIdentityFactory
from workspaces.roles import Role

pytestmark = pytest.mark.django_db

ZONE = """
acme.example. 60 IN TXT "v=spf1 include:_spf.relay.example -all"
s1._domainkey.acme.example. 60 IN TXT "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC5"
_dmarc.acme.example. 60 IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.example"
bare.example. 60 IN TXT "google-site-verification=abc"
twice.example. 60 IN TXT "v=spf1 -all"
twice.example. 60 IN TXT "v=spf1 a -all"
nokey._domainkey.twice.example. 60 IN TXT "k=rsa; p="
_dmarc.twice.example. 60 IN TXT "v=DMARC1; p=sometimes"
"""


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dns_server(settings):
    port = _free_udp_port()
    server = DNSServer(
        ZoneResolver(ZONE),
        address="127.0.0.1",
        port=port,
        logger=DNSLogger("-request,-reply,-truncated,-error,-recv,-send,-data"),
    )
    server.start_thread()
    settings.DNS_NAMESERVERS = [f"127.0.0.1:{port}"]
    settings.DNS_TIMEOUT_SECONDS = 2.0
    yield server
    server.stop()


def url(name, **kwargs):
    return reverse(f"marketing:{name}", kwargs={"ws": "acme", **kwargs})


SENDER_POST = {
    "name": "Newsletter",
    "from_name": "Acme News",
    "from_email": "news@acme.example",
    "reply_to": "hello@acme.example",
    "dkim_selector": "s1",
    "rate_per_minute": "120",
    "hourly_cap": "",
    "daily_cap": "5000",
    "allowed_weekdays": ["0", "1", "2", "3", "4"],
    "allowed_start": "08:00",
    "allowed_end": "18:00",
}


def test_create_a_sender_with_throttles(workspace, client_for):
    response = client_for(Role.MARKETING).post(url("sender_new"), SENDER_POST)
    assert response.status_code == 302
    sender = SenderIdentity.all_workspaces.get(workspace=workspace)
    assert sender.rate_per_minute == 120 and sender.hourly_cap is None
    assert sender.daily_cap == 5000
    assert sender.allowed_weekdays == [0, 1, 2, 3, 4]
    assert str(sender.allowed_start) == "08:00:00"


@pytest.mark.parametrize(
    ("change", "field_text"),
    [
        ({"from_email": "not-an-address"}, "valid email"),
        ({"allowed_end": ""}, "both times"),
        ({"rate_per_minute": "0"}, "greater than or equal to 1"),
    ],
)
def test_bad_sender_input_is_refused_at_the_field(workspace, client_for, change, field_text):
    response = client_for(Role.MARKETING).post(url("sender_new"), {**SENDER_POST, **change})
    assert response.status_code == 422
    assert field_text in response.content.decode()
    assert not SenderIdentity.all_workspaces.exists()


def test_domain_check_reads_spf_dkim_and_dmarc(dns_server):
    result = domain_check("acme.example", "s1")
    assert result["spf"]["status"] == "found"
    assert result["spf"]["record"].startswith("v=spf1 include:_spf.relay.example")
    assert result["dkim"]["status"] == "found"
    assert result["dkim"]["name"] == "s1._domainkey.acme.example"
    assert result["dmarc"]["status"] == "found"
    assert result["dmarc"]["policy"] == "quarantine"


def test_domain_check_reports_missing_records(dns_server):
    result = domain_check("bare.example", "s1")
    assert [result[k]["status"] for k in ("spf", "dkim", "dmarc")] == [
        "missing",
        "missing",
        "missing",
    ]
    assert domain_check("bare.example")["dkim"]["status"] == "skipped"


def test_domain_check_flags_broken_records(dns_server):
    result = domain_check("twice.example", "nokey")
    assert result["spf"]["status"] == "invalid"  # two SPF records count as none
    assert result["dkim"]["status"] == "invalid"  # revoked key
    assert result["dmarc"]["status"] == "invalid"  # p=sometimes


def test_unreachable_resolver_is_an_error_not_a_crash(settings):
    settings.DNS_NAMESERVERS = [f"127.0.0.1:{_free_udp_port()}"]
    settings.DNS_TIMEOUT_SECONDS = 0.5
    result = domain_check("acme.example", "s1")
    assert result["spf"]["status"] == "error"


def test_check_button_stores_and_shows_the_result(workspace, client_for, dns_server):
    sender = SenderIdentityFactory(
        workspace=workspace, from_email="news@acme.example", dkim_selector="s1"
    )
    client = client_for(Role.MARKETING)
    response = client.post(url("sender_check", pk=sender.pk))
    assert response.status_code == 302
    sender.refresh_from_db()
    assert sender.dns_check["dmarc"]["policy"] == "quarantine"
    assert sender.dns_checked_at is not None
    page = client.get(url("senders")).content.decode()
    assert "p=quarantine" in page and 'data-testid="dns-check"' in page


def test_changing_the_address_clears_the_old_check(workspace, client_for):
    sender = SenderIdentityFactory(
        workspace=workspace, from_email="news@acme.example", dns_check={"domain": "acme.example"}
    )
    client_for(Role.MARKETING).post(
        url("sender_edit", pk=sender.pk), {**SENDER_POST, "from_email": "news@other.example"}
    )
    sender.refresh_from_db()
    assert sender.dns_check == {} and sender.from_email == "news@other.example"


def test_a_sender_in_use_is_not_deleted(workspace, client_for):
    campaign = CampaignFactory(workspace=workspace)
    client = client_for(Role.MARKETING)
    client.post(url("sender_delete", pk=campaign.sender.pk))
    assert SenderIdentity.all_workspaces.filter(pk=campaign.sender.pk).exists()
    free = SenderIdentityFactory(workspace=workspace)
    client.post(url("sender_delete", pk=free.pk))
    assert not SenderIdentity.all_workspaces.filter(pk=free.pk).exists()


def test_sender_pages_are_for_marketing_editors(workspace, client_for):
    client = client_for(Role.READONLY)
    page = client.get(url("senders"))
    assert page.status_code == 200
    assert 'data-testid="bounce-secret"' not in page.content.decode()  # the secret stays hidden
    assert client.post(url("sender_new"), SENDER_POST).status_code == 403
    assert client_for(Role.SALES).get(url("senders")).status_code == 403
