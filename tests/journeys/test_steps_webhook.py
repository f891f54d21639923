"""The "webhook.call" step against a real HTTP server on loopback (http.server in a thread):
a signed JSON post (Standard Webhooks), ids only unless chosen, 5xx/timeouts retried, other
refusals failed, private addresses refused outside tests."""

import http.server
import json
import threading
import time

import pytest
from standardwebhooks.webhooks import Webhook

from journeys.steps.registry import StepFailed, StepRetry, step_type_get
from journeys.steps.webhook import address_problem
from tests.contacts.factories import ContactFactory
from tests.journeys.step_helpers import journey_row, params_of, run_step

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]


class Receiver:
    """A loopback HTTP server that records each POST and answers with the next of
    `statuses` (200 when none is left); `delay` seconds before answering."""

    def __init__(self):
        self.requests: list[tuple[dict, bytes]] = []
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
                self.wfile.write(b"thanks" if status < 400 else b"nope")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
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
    with pytest.raises(StepRetry, match="No answer"):
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
    with pytest.raises(StepFailed, match="loopback"):  # checked again when called
        run_step(
            workspace,
            contact,
            "webhook.call",
            {"url": "https://127.0.0.1:9/x", "secret": "whsec_QUFBQUFBQUFBQUFB"},
        )


def test_debug_allows_loopback_but_not_private_networks(settings):
    settings.DEBUG = True
    settings.JOURNEYS_WEBHOOK_ALLOW_PRIVATE = False
    assert address_problem("http://127.0.0.1:8000/hook") is None
    assert address_problem("https://10.0.0.5/hook") is not None
