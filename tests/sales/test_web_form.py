"""The public web-to-lead form: signed form id, honeypot, rate limit, consent."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from sales.models import Lead, LeadSource
from sales.views import web_form_token
from workspaces.roles import Role

pytestmark = pytest.mark.django_db

VALID = {
    "first_name": "Ina",
    "last_name": "Berg",
    "email": "Ina@Berg.example",
    "company": "Berg KG",
    "message": "Please call",
    "consent": "on",
}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _form_url(workspace):
    return reverse("sales_web_form", kwargs={"token": web_form_token(workspace)})


def test_a_valid_submission_creates_a_lead_with_its_touch_point(client, workspace):
    response = client.post(_form_url(workspace), VALID)
    assert response.status_code == 200 and b"thanks" in response.content
    lead = Lead.all_workspaces.get(workspace=workspace)
    assert (lead.email, lead.source, lead.consent_email) == (
        "ina@berg.example",
        LeadSource.WEB_FORM,
        True,
    )
    assert [tp["kind"] for tp in lead.pending_touchpoints] == ["form.submitted"]
    assert lead.pending_touchpoints[0]["channel"] == "website"
    assert lead.pending_touchpoints[0]["direction"] == "in"


def test_without_the_consent_box_the_lead_has_no_consent(client, workspace):
    client.post(_form_url(workspace), {**VALID, "consent": ""})
    assert Lead.all_workspaces.get(workspace=workspace).consent_email is False


def test_the_honeypot_stores_nothing(client, workspace):
    response = client.post(_form_url(workspace), {**VALID, "website_url": "http://spam.example"})
    assert response.status_code == 200
    assert not Lead.all_workspaces.exists()


def test_the_rate_limit_stops_floods_from_one_address(client, workspace):
    for _ in range(5):
        assert client.post(_form_url(workspace), VALID).status_code == 200
    response = client.post(_form_url(workspace), VALID)
    assert response.status_code == 429
    assert Lead.all_workspaces.filter(workspace=workspace).count() == 5


def test_a_tampered_form_id_is_404(client, workspace):
    token = web_form_token(workspace)
    url = reverse("sales_web_form", kwargs={"token": token[:-2] + "xx"})
    assert client.get(url).status_code == 404
    assert client.post(url, VALID).status_code == 404


def test_a_missing_email_is_a_field_error(client, workspace):
    response = client.post(_form_url(workspace), {**VALID, "email": "no-email"})
    assert response.status_code == 200
    assert b"is-invalid" in response.content
    assert not Lead.all_workspaces.exists()


def test_the_form_can_be_embedded_in_other_sites(client, workspace):
    response = client.get(_form_url(workspace) + "?embed=1")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers


def test_settings_page_shows_the_embed_code(workspace, owner_client):
    response = owner_client.get(reverse("sales:settings", kwargs={"ws": workspace.slug}))
    assert response.status_code == 200
    assert web_form_token(workspace).encode() in response.content
    assert b"&lt;iframe" in response.content


def test_sales_reps_cannot_open_the_settings(workspace, client_for):
    client = client_for(Role.SALES)
    assert client.get(reverse("sales:settings", kwargs={"ws": workspace.slug})).status_code == 403
