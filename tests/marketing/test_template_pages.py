"""Email template pages: list, editor with problems at their line, preview for a chosen
contact, and "send test" through a real SMTP server on loopback."""

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from marketing.models import EmailTemplate
from tests.contacts.factories import AccountFactory, ContactFactory
from tests.marketing.factories import EmailTemplateFactory
from workspaces.roles import Role

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"marketing:{name}", kwargs={"ws": "acme", **kwargs})


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inbox(settings):
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 10},
        }
    }
    yield box
    controller.stop()


def test_templates_page_lists_the_workspaces_templates_only(workspace, other_workspace, client_for):
    EmailTemplateFactory(workspace=workspace, name="Welcome mail")
    EmailTemplateFactory(workspace=other_workspace, name="Their secret mail")
    page = client_for(Role.MARKETING).get(url("templates"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Welcome mail" in html and "Their secret mail" not in html
    assert 'data-testid="empty-state"' not in html


def test_create_a_template(workspace, client_for):
    client = client_for(Role.MARKETING)
    response = client.post(
        url("template_new"),
        {
            "name": "Welcome",
            "subject": "Hi {{ first_name|default:'there' }}",
            "html_body": "<p>Welcome to {{ company }}</p>",
            "text_body": "",
        },
    )
    assert response.status_code == 302
    template = EmailTemplate.all_workspaces.get(workspace=workspace, name="Welcome")
    assert template.created_by == client.user


def test_problems_are_shown_at_their_line_and_nothing_is_saved(workspace, client_for):
    response = client_for(Role.MARKETING).post(
        url("template_new"),
        {
            "name": "Broken",
            "subject": "Hi",
            "html_body": "<p>ok</p>\n<p>{{ frist_name }}</p>\n{% load static %}",
            "text_body": "",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Line 2: Unknown field “frist_name”." in html
    assert "Line 3: Tags and comments" in html
    assert not EmailTemplate.all_workspaces.filter(workspace=workspace).exists()


def test_edit_keeps_old_text_when_the_new_one_is_broken(workspace, client_for):
    template = EmailTemplateFactory(workspace=workspace, subject="Old")
    client = client_for(Role.MARKETING)
    response = client.post(
        url("template_edit", pk=template.pk),
        {"name": "T", "subject": "{{ nope }}", "html_body": "<p>x</p>", "text_body": ""},
    )
    assert response.status_code == 422
    template.refresh_from_db()
    assert template.subject == "Old"
    response = client.post(
        url("template_edit", pk=template.pk),
        {"name": "T", "subject": "New {{ last_name }}", "html_body": "<p>x</p>", "text_body": ""},
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.subject == "New {{ last_name }}"


def test_readonly_members_see_but_cannot_change(workspace, client_for):
    template = EmailTemplateFactory(workspace=workspace)
    client = client_for(Role.READONLY)
    assert client.get(url("template_edit", pk=template.pk)).status_code == 200
    assert client.get(url("templates")).status_code == 200
    response = client.post(
        url("template_edit", pk=template.pk),
        {"name": "Hacked", "subject": "x", "html_body": "x", "text_body": ""},
    )
    assert response.status_code == 403
    assert client.post(url("template_delete", pk=template.pk)).status_code == 403


def test_delete_a_template(workspace, client_for):
    template = EmailTemplateFactory(workspace=workspace)
    response = client_for(Role.MARKETING).post(url("template_delete", pk=template.pk))
    assert response.status_code == 302
    assert not EmailTemplate.all_workspaces.filter(pk=template.pk).exists()


def test_preview_for_a_chosen_contact(workspace, client_for):
    account = AccountFactory(workspace=workspace, name="Initech")
    contact = ContactFactory(workspace=workspace, first_name="Peter", account=account)
    template = EmailTemplateFactory(
        workspace=workspace,
        subject="Hi {{ first_name }}",
        html_body="<p>{{ first_name }} at {{ company }}</p><script>x()</script>",
        text_body="",
    )
    page = client_for(Role.MARKETING).get(
        url("template_preview", pk=template.pk), {"contact": contact.pk}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="preview-subject">Hi Peter<' in html
    assert "Peter at Initech" in html
    assert "<script>x()" not in html and "&lt;script&gt;" not in html  # sanitised away
    assert 'data-testid="pick-contact"' in html


def test_preview_refuses_another_workspaces_contact(workspace, other_workspace, client_for):
    theirs = ContactFactory(workspace=other_workspace, first_name="Secretina")
    template = EmailTemplateFactory(workspace=workspace, subject="Hi {{ first_name }}")
    page = client_for(Role.MARKETING).get(
        url("template_preview", pk=template.pk), {"contact": theirs.pk}
    )
    assert page.status_code == 200
    assert "Secretina" not in page.content.decode()
    assert "Hi Alex" in page.content.decode()  # sample values instead


def test_send_test_arrives_personalised_over_smtp(workspace, client_for, inbox):
    contact = ContactFactory(workspace=workspace, first_name="Mia")
    template = EmailTemplateFactory(
        workspace=workspace,
        subject="Hello {{ first_name }}",
        html_body='<p>Dear {{ first_name }}, <a href="https://shop.example/x">shop</a></p>',
        text_body="",
    )
    response = client_for(Role.MARKETING).post(
        url("template_preview", pk=template.pk), {"contact": contact.pk, "to": "me@test.example"}
    )
    assert response.status_code == 302
    ((rcpts, message),) = inbox.messages
    assert rcpts == ["me@test.example"]
    assert message["Subject"] == "[Test] Hello Mia"
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Dear Mia" in text and "shop (https://shop.example/x)" in text
    assert "<p>Dear Mia" in html


def test_send_test_is_rate_limited(workspace, client_for, inbox, settings):
    settings.MARKETING_TEST_SEND_RATE = "2/h"
    template = EmailTemplateFactory(workspace=workspace)
    client = client_for(Role.MARKETING)
    codes = [
        client.post(url("template_preview", pk=template.pk), {"to": "me@test.example"}).status_code
        for _ in range(3)
    ]
    assert codes == [302, 302, 429]
    assert len(inbox.messages) == 2


def test_send_test_needs_a_valid_address(workspace, client_for, inbox):
    template = EmailTemplateFactory(workspace=workspace)
    response = client_for(Role.MARKETING).post(
        url("template_preview", pk=template.pk), {"to": "not an address"}
    )
    assert response.status_code == 422
    assert inbox.messages == []


def test_the_subjects_help_shows_the_custom_field_placeholder_literally(workspace, client_for):
    html = client_for(Role.MARKETING).get(url("template_new")).content.decode()
    # as text in the page: "{{ custom.<key> }} for custom fields", not a stray <key> tag
    assert "{{ custom.&lt;key&gt; }} for custom fields" in html
    assert "<key>" not in html
    assert "{{ first_name|default:&quot;there&quot; }}" in html


def test_the_preview_without_a_contact_fills_every_field_with_a_sample(workspace, client_for):
    from marketing.rendering import PERSONALISATION_FIELDS

    body = "".join(f"<p>{name}=[{{{{ {name} }}}}]</p>" for name in PERSONALISATION_FIELDS)
    template = EmailTemplateFactory(
        workspace=workspace,
        subject="Your city: {{ city }}. Owner: {{ owner_name }}.",
        html_body=body,
        text_body="",
    )
    html = client_for(Role.MARKETING).get(url("template_preview", pk=template.pk))
    html = html.content.decode()
    assert "Your city: Springfield. Owner: Sam Seller." in html
    for name in PERSONALISATION_FIELDS:
        assert f"{name}=[" in html and f"{name}=[]" not in html, name
