"""The HTML part of the mail the product sends from stored text (a personalised message: the
test send of a template, through the same renderer as a campaign) never carries a script, an
event handler or a javascript: link from contact data."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.contacts.factories import ContactFactory
from tests.marketing.factories import EmailTemplateFactory
from workspaces.roles import Role

from .strategies import html_dangers

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"


def test_hostile_contact_values_reach_the_html_part_escaped(workspace, client_for, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    contact = ContactFactory(
        workspace=workspace,
        first_name=SCRIPT,
        last_name='"><img src=x onerror=alert(1)>',
        job_title="{{7*7}}",
        custom={"url": "javascript:alert(1)"},
    )
    template = EmailTemplateFactory(
        workspace=workspace,
        subject="Hello {{ first_name }}",
        html_body=(
            "<p>Dear {{ first_name }} {{ last_name }}, {{ job_title }}</p>"
            '<a href="{{ custom.url }}">site</a><img src="{{ custom.url }}" alt="">'
        ),
        text_body="",
    )
    response = client_for(Role.MARKETING).post(
        reverse("marketing:template_preview", kwargs={"ws": "acme", "pk": template.pk}),
        {"contact": contact.pk, "to": "me@test.example"},
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    ((html, kind),) = message.alternatives
    assert kind == "text/html"
    assert SCRIPT not in html and "<img src=x onerror" not in html
    assert not html_dangers(html), html
    assert "&lt;script&gt;" in html and "{{7*7}}" in html  # shown, as text
    assert "\n" not in message.subject
