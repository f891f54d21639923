"""A marketer writes an email template in Chromium: a typo is shown at its line, the preview
is personalised for a contact found by typing, and the test message arrives at a real SMTP
server on loopback."""

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller

from contacts.models import Contact
from marketing.models import EmailTemplate
from tests.factories import TEST_PASSWORD, MembershipFactory, WorkspaceFactory
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def inbox(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    yield box
    controller.stop()


@pytest.fixture
def studio(live_server):
    workspace = WorkspaceFactory(name="Nordwind Systems", slug="nordwind")
    marketer = MembershipFactory(workspace=workspace, role=Role.MARKETING).user
    with workspace_scope(workspace):
        Contact.objects.create(workspace=workspace, first_name="Hanna", last_name="Brandt")
        target = Contact.objects.create(
            workspace=workspace, first_name="Greta", last_name="Lindqvist", email="g@lq.example"
        )
    return workspace, marketer, target


def test_write_preview_and_send_a_template(studio, inbox, page, login_as, screenshot):
    workspace, marketer, target = studio
    login_as(page, marketer.email, TEST_PASSWORD)
    page.goto(f"/w/{workspace.slug}/marketing/templates/")
    page.get_by_test_id("template-new").click()
    page.fill("input[name=name]", "Spring offer")
    page.fill("input[name=subject]", 'Hi {{ first_name|default:"there" }}')
    page.fill("textarea[name=html_body]", "<p>Spring is here.</p>\n<p>Dear {{ frist_name }}</p>")
    page.get_by_role("button", name="Save").click()
    problems = page.get_by_test_id("template-problems")
    assert "Line 2: Unknown field “frist_name”." in problems.inner_text()
    screenshot(page, "template-problem-at-line")
    page.fill("textarea[name=html_body]", "<p>Spring is here.</p>\n<p>Dear {{ first_name }}</p>")
    page.get_by_role("button", name="Save").click()
    page.get_by_test_id("template-preview").click()
    assert page.get_by_test_id("preview-subject").inner_text() == "Hi Alex"  # sample values
    box = page.locator("[data-autocomplete]:has(input[name=contact]) [role=combobox]")
    box.click()
    with page.expect_response(lambda r: "/contacts/pick/" in r.url):
        box.press_sequentially("lind", delay=60)
    page.locator("[role=option]").first.click()
    page.get_by_test_id("preview-picker").get_by_role("button", name="Show").click()
    assert page.get_by_test_id("preview-subject").inner_text() == "Hi Greta"
    frame = page.frame_locator("[data-testid=preview-html]")
    assert "Dear Greta" in frame.locator("body").inner_text()
    screenshot(page, "template-preview-for-contact")
    page.fill("input[name=to]", "me@test.example")
    page.get_by_role("button", name="Send test").click()
    page.wait_for_load_state("networkidle")
    (message,) = inbox.messages
    assert message["Subject"] == "[Test] Hi Greta"
    assert "Dear Greta" in message.get_body(("plain",)).get_content()
    assert EmailTemplate.all_workspaces.filter(workspace=workspace).count() == 1
