"""The integration pages an owner uses, in Chromium on desktop and phone: the warehouse export
(Run now fills the tables), an API key (created, shown once, working with the API, not shown
again on reload), a webhook endpoint (saved, its test event received and verified with the
Standard Webhooks library). No page scrolls sideways."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.management import call_command
from standardwebhooks import Webhook

from webhooks.models import WebhookEndpoint
from workspaces.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERS
from workspaces.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OWNER = next(email for email, _first, _last, role in DEMO_USERS if role == Role.OWNER)
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def demo(live_server, settings, tmp_path):
    settings.WAREHOUSE_URL = f"duckdb://{tmp_path / 'warehouse.duckdb'}"
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver below listens on loopback
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def receiver():
    """A webhook receiver on 127.0.0.1: the (headers, body) of every POST it gets."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], received
    server.shutdown()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")


@pytest.mark.parametrize("size", SIZES)
def test_warehouse_api_key_and_webhook_pages(
    demo, receiver, browser_context_factory, login_as, screenshot, size
):
    page = browser_context_factory(viewport=SIZES[size]).new_page()
    login_as(page, OWNER, DEMO_PASSWORD)

    # the warehouse: Run now, the tables fill
    page.goto("/w/demo/warehouse/")
    page.get_by_test_id("run-now").click()
    page.wait_for_load_state("networkidle")
    page.goto("/w/demo/warehouse/")
    row = page.get_by_test_id("table-fact_interactions")
    assert row.is_visible()
    assert any(ch.isdigit() and ch != "0" for ch in row.inner_text())
    assert no_sideways_scroll(page)
    screenshot(page, f"warehouse-status-{size}")

    # an API key: shown once, works, gone on reload
    page.goto("/w/demo/api-keys/new/")
    page.fill("input[name=name]", f"Shop ({size})")
    page.select_option("select[name=role]", "sales")
    page.get_by_role("button", name="Create key").click()
    key = page.get_by_test_id("new-key").inner_text().strip()
    assert key.startswith("crm_")
    screenshot(page, f"api-key-created-{size}")
    answer = page.request.get("/api/v1/contacts/", headers={"Authorization": f"Bearer {key}"})
    assert answer.status == 200 and answer.json()["results"]
    page.reload()
    assert key not in page.content() and "shown only once" in page.content()
    assert no_sideways_scroll(page)

    # a webhook endpoint: saved, its test event arrives signed
    port, received = receiver
    page.goto("/w/demo/webhooks/new/")
    page.fill("input[name=url]", f"http://127.0.0.1:{port}/hook")
    page.check("input[name=event_types][value='contact.created']")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("networkidle")
    assert no_sideways_scroll(page)
    page.get_by_test_id("send-test").click()
    page.wait_for_load_state("networkidle")
    screenshot(page, f"webhook-endpoint-{size}")
    assert len(received) == 1
    headers, body = received[0]
    secret = WebhookEndpoint.all_workspaces.get(url=f"http://127.0.0.1:{port}/hook").secret
    assert Webhook(secret).verify(body, headers)
    assert json.loads(body)["type"]
