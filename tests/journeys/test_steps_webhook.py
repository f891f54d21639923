"""The "webhook.call" step against a real HTTP(S) server on loopback (http.server in a
thread): a signed JSON post (Standard Webhooks), ids only unless chosen, 5xx/timeouts retried,
other refusals failed, with fixed reasons only (never the reply's body); addresses that are not
globally routable refused unless JOURNEYS_WEBHOOK_ALLOW_PRIVATE is True (DEBUG does not allow
them); the connection goes to the address that was checked (DNS rebinding). Name resolution is
replaced (monkeypatched socket.getaddrinfo) only for made-up names: no DNS runs here."""

import http.server
import json
import socket
import ssl
import subprocess
import threading
import time

import pytest
from standardwebhooks.webhooks import Webhook

from journeys.models import Enrolment, Journey
from journeys.services.advancing import enrolment_run
from journeys.steps.registry import StepFailed, StepRetry, step_type_get
from journeys.steps.webhook import address_problem
from tests.contacts.factories import ContactFactory
from tests.journeys.step_helpers import journey_row, params_of, run_step, step_context

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]


class Receiver:
    """A loopback HTTP server that records each POST and answers with the next of
    `statuses` (200 when none is left); `delay` seconds before answering."""

    ERROR_BODY = b"internal-secret: db=10.0.0.7 password=hunter2"

    def __init__(self, tls_context=None):
        self.requests: list[tuple[dict, bytes]] = []
        self.server_names: list[str | None] = []
        self.statuses: list[int] = []
        self.delay = 0.0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the stdlib's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                time.sleep(receiver.delay)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.end_headers()
                self.wfile.write(b"thanks" if status < 400 else receiver.ERROR_BODY)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        if tls_context is not None:
            tls_context.sni_callback = lambda sock, name, ctx: self.server_names.append(name)
            self.server.socket = tls_context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.JOURNEYS_WEBHOOK_ALLOW_PRIVATE = True
    settings.JOURNEYS_WEBHOOK_TIMEOUT = 0.5
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def contact(workspace):
    return ContactFactory(
        workspace=workspace, first_name="Ann", email="ann@example.org", lifecycle_stage="lead"
    )


def test_posts_signed_json_with_ids_only(workspace, contact, receiver):
    params = params_of("webhook.call", workspace, {"url": receiver.url})
    assert params["secret"].startswith("whsec_")  # made when left empty
    outcome = run_step(workspace, contact, "webhook.call", params)

    assert outcome.edge == "next" and outcome.data["status"] == 200
    ((headers, body),) = receiver.requests
    document = Webhook(params["secret"]).verify(body, headers)  # raises on a bad signature
    assert document["type"] == "journey.step"
    assert document["data"]["contact_id"] == contact.pk
    assert document["data"]["step"] == "s1"
    assert "contact" not in document["data"]
    assert "ann@example.org" not in body.decode()
    assert headers["webhook-id"] == outcome.data["webhook_id"]
    with pytest.raises(Exception):  # noqa: B017,PT011 - another secret does not verify
        Webhook("whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB").verify(body, headers)


def test_chosen_contact_fields_are_included(workspace, contact, receiver):
    params = params_of(
        "webhook.call", workspace, {"url": receiver.url, "include": ["email", "lifecycle_stage"]}
    )
    run_step(workspace, contact, "webhook.call", params)
    document = json.loads(receiver.requests[0][1])
    assert document["data"]["contact"] == {"email": "ann@example.org", "lifecycle_stage": "lead"}


def test_a_server_error_or_timeout_retries_and_a_client_error_fails(workspace, contact, receiver):
    params = params_of("webhook.call", workspace, {"url": receiver.url})
    receiver.statuses = [503]
    with pytest.raises(StepRetry, match="503"):
        run_step(workspace, contact, "webhook.call", params, key="s1")
    receiver.statuses = [404]
    with pytest.raises(StepFailed, match="404"):
        run_step(workspace, contact, "webhook.call", params, key="s2")
    receiver.statuses = [302]
    with pytest.raises(StepFailed, match="302"):  # redirects are not followed
        run_step(workspace, contact, "webhook.call", params, key="s3")
    receiver.delay = 1.0
    with pytest.raises(StepRetry, match="^timeout$"):
        run_step(workspace, contact, "webhook.call", params, key="s4")


def test_retries_of_one_step_carry_the_same_webhook_id(workspace, contact, receiver):
    params = params_of("webhook.call", workspace, {"url": receiver.url})
    journey = journey_row(workspace)
    receiver.statuses = [500]
    with pytest.raises(StepRetry):
        run_step(workspace, contact, "webhook.call", params, journey=journey)
    run_step(workspace, contact, "webhook.call", params, journey=journey)
    ids = {headers["webhook-id"] for headers, _body in receiver.requests}
    assert len(receiver.requests) == 2 and len(ids) == 1


def test_private_and_loopback_addresses_are_refused_in_production(workspace, contact, settings):
    settings.DEBUG = False
    settings.JOURNEYS_WEBHOOK_ALLOW_PRIVATE = False
    form_class = step_type_get("webhook.call").params_form
    for url in (
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "http://example.com/hook",
    ):
        assert not form_class({"url": url}, workspace=workspace).is_valid(), url
    assert address_problem("https://93.184.215.14/hook") is None
    with pytest.raises(StepFailed, match="address not allowed"):  # checked again when called
        run_step(
            workspace,
            contact,
            "webhook.call",
            {"url": "https://127.0.0.1:9/x", "secret": "whsec_QUFBQUFBQUFBQUFB"},
        )


REVIEW_ADDRESSES = [
    "https://100.100.100.200/latest/meta-data",  # cloud metadata (Alibaba), shared space
    "https://100.64.0.1/hook",  # CGNAT
    "https://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
    "https://[::ffff:127.0.0.1]/hook",  # IPv4-mapped loopback
    "https://169.254.169.254/latest/meta-data",  # link-local metadata
    "https://2130706433/hook",  # 127.0.0.1 written as one decimal number
    "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook",  # Teredo
    "https://[64:ff9b::7f00:1]/hook",  # NAT64 (well-known prefix) of 127.0.0.1
    "https://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of 169.254.169.254
    "https://[64:ff9b:1::a9fe:a9fe]/hook",  # local-use NAT64 prefix
    "http://127.0.0.1:8000/hook",
]


@pytest.fixture
def connections(monkeypatch):
    """Every (address, port) a socket is opened to; a connection to an address outside
    loopback is refused here instead of leaving the machine."""
    opened = []
    real = socket.create_connection

    def create_connection(address, *args, **kwargs):
        opened.append(address)
        if not address[0].startswith("127."):
            raise ConnectionRefusedError("not from a test")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    return opened


def resolver(monkeypatch, answers: dict[str, list[list[str]]]) -> dict[str, int]:
    """Replace name resolution for the made-up names in `answers`: the n-th lookup of a name
    gets answers[name][n] (the last one again after that); other names resolve for real.
    Returns the count of lookups per name."""
    real = socket.getaddrinfo
    lookups = dict.fromkeys(answers, 0)

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        rounds = answers[host]
        addresses = rounds[min(lookups[host], len(rounds) - 1)]
        lookups[host] += 1
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
                "",
                (a, int(port or 443)),
            )
            for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


SECRET = "whsec_QUFBQUFBQUFBQUFB"


def test_debug_does_not_open_loopback_or_special_addresses(
    workspace, contact, settings, connections
):
    settings.DEBUG = True
    settings.JOURNEYS_WEBHOOK_ALLOW_PRIVATE = False
    form_class = step_type_get("webhook.call").params_form
    for url in REVIEW_ADDRESSES:
        assert address_problem(url) is not None, url
        assert not form_class({"url": url}, workspace=workspace).is_valid(), url
        with pytest.raises(StepFailed):
            run_step(workspace, contact, "webhook.call", {"url": url, "secret": SECRET})
    assert connections == []
    assert address_problem("https://[::ffff:93.184.215.14]/hook") is None  # unwrapped: public


def test_only_the_setting_set_to_true_allows_private_addresses(settings):
    settings.DEBUG = False
    settings.JOURNEYS_WEBHOOK_ALLOW_PRIVATE = "yes"  # not True
    assert address_problem("https://10.0.0.5/hook") is not None
    settings.JOURNEYS_WEBHOOK_ALLOW_PRIVATE = True
    assert address_problem("https://10.0.0.5/hook") is None
    assert address_problem("http://127.0.0.1:8000/hook") is None


def test_every_address_of_a_name_must_be_public(
    workspace, contact, settings, monkeypatch, connections
):
    settings.JOURNEYS_WEBHOOK_ALLOW_PRIVATE = False
    resolver(monkeypatch, {"mixed.test": [["93.184.215.14", "127.0.0.1"]]})
    assert address_problem("https://mixed.test/hook") is not None
    with pytest.raises(StepFailed, match="address not allowed"):
        run_step(
            workspace, contact, "webhook.call", {"url": "https://mixed.test/", "secret": SECRET}
        )
    assert connections == []


def test_the_connection_goes_to_the_address_that_was_checked(
    workspace, contact, settings, monkeypatch, connections
):
    """DNS rebinding: the first answer is public, any later one loopback (where a receiver
    listens); the step resolves once and connects to the public address it checked."""
    settings.JOURNEYS_WEBHOOK_ALLOW_PRIVATE = False
    settings.JOURNEYS_WEBHOOK_TIMEOUT = 0.5
    server = Receiver()
    try:
        lookups = resolver(monkeypatch, {"rebind.test": [["93.184.215.14"], ["127.0.0.1"]]})
        url = f"https://rebind.test:{server.port}/hook"
        with pytest.raises(StepRetry, match="^connection refused$"):
            run_step(workspace, contact, "webhook.call", {"url": url, "secret": SECRET})
        assert lookups["rebind.test"] == 1
        assert connections == [("93.184.215.14", server.port)]
        assert server.requests == []
        # saved while public, rebound to loopback before the call: the call's check refuses
        lookups["rebind.test"] = 0
        params = params_of("webhook.call", workspace, {"url": url})
        with pytest.raises(StepFailed, match="address not allowed"):
            run_step(workspace, contact, "webhook.call", params, key="s2")
        assert len(connections) == 1 and server.requests == []
    finally:
        server.stop()


def test_the_stored_error_has_the_status_but_not_the_reply(workspace, contact, receiver):
    receiver.statuses = [500]
    ctx = step_context(workspace, contact, "webhook.call", {"url": receiver.url, "secret": SECRET})
    Journey.objects.filter(pk=ctx.journey.pk).update(status="live")
    enrolment_run(workspace=workspace, enrolment_id=ctx.enrolment.pk)
    enrolment = Enrolment.objects.get(pk=ctx.enrolment.pk)
    assert len(receiver.requests) == 1
    assert "HTTP 500" in enrolment.last_error
    assert "secret" not in enrolment.last_error and "10.0.0.7" not in enrolment.last_error
    assert enrolment.executions.get().error == enrolment.last_error


def test_a_connection_error_is_stored_as_a_fixed_reason(workspace, contact, settings):
    settings.JOURNEYS_WEBHOOK_ALLOW_PRIVATE = True
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()  # nothing listens there now
    with pytest.raises(StepRetry) as raised:
        run_step(
            workspace,
            contact,
            "webhook.call",
            {"url": f"http://127.0.0.1:{port}/", "secret": SECRET},
        )
    assert str(raised.value) == "connection refused"


@pytest.fixture
def tls_receiver(tmp_path, settings, monkeypatch):
    """A receiver over TLS with a self-signed certificate for hook.test (made by the openssl
    command); hook.test resolves to 127.0.0.1."""
    settings.JOURNEYS_WEBHOOK_ALLOW_PRIVATE = True
    settings.JOURNEYS_WEBHOOK_TIMEOUT = 2.0
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(  # noqa: S603 - fixed arguments
        [  # noqa: S607
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=hook.test",
            "-addext",
            "subjectAltName=DNS:hook.test",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    resolver(monkeypatch, {"hook.test": [["127.0.0.1"]], "other.test": [["127.0.0.1"]]})
    server = Receiver(tls_context=context)
    server.cert = cert
    yield server
    server.stop()


def test_tls_is_verified_for_the_name_not_the_address(
    workspace, contact, monkeypatch, tls_receiver
):
    url = f"https://hook.test:{tls_receiver.port}/hook"
    with pytest.raises(StepRetry, match="^TLS error$"):  # not trusted yet
        run_step(workspace, contact, "webhook.call", {"url": url, "secret": SECRET}, key="s1")
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_receiver.cert))
    outcome = run_step(workspace, contact, "webhook.call", {"url": url, "secret": SECRET}, key="s2")
    assert outcome.data["status"] == 200
    ((headers, _body),) = tls_receiver.requests
    assert headers["host"] == f"hook.test:{tls_receiver.port}"
    assert tls_receiver.server_names[-1] == "hook.test"
    other = f"https://other.test:{tls_receiver.port}/hook"  # same address, another name
    with pytest.raises(StepRetry, match="^TLS error$"):
        run_step(workspace, contact, "webhook.call", {"url": other, "secret": SECRET}, key="s3")
    assert len(tls_receiver.requests) == 1


def test_a_nat64_address_of_a_public_ipv4_address_is_allowed():
    import ipaddress

    from workspaces.outbound import address_allowed

    assert address_allowed(ipaddress.ip_address("64:ff9b::5db8:d822"))  # 93.184.216.34
    assert not address_allowed(ipaddress.ip_address("64:ff9b::a00:1"))  # 10.0.0.1
