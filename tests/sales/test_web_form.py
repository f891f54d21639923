"""The public web-to-lead form: signed form id, honeypot, rate limit, consent."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from sales.models import Lead, LeadSource, WebForm
from sales.views.settings import web_form_token
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

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
    token = web_form_token(workspace)  # made when the workspace is (here: by the helper)
    response = owner_client.get(reverse("sales:settings", kwargs={"ws": workspace.slug}))
    assert response.status_code == 200
    assert token.encode() in response.content
    assert b"&lt;iframe" in response.content


def test_settings_page_offers_to_set_up_a_missing_form_and_writes_nothing(workspace, owner_client):
    url = reverse("sales:settings", kwargs={"ws": workspace.slug})
    response = owner_client.get(url)
    assert b'data-testid="web-form-setup"' in response.content
    assert not WebForm.all_workspaces.filter(workspace=workspace).exists()
    toggle = reverse("sales:web_form_toggle", kwargs={"ws": workspace.slug})
    owner_client.post(toggle, {"enabled": "1"})
    assert WebForm.all_workspaces.get(workspace=workspace).enabled


def test_a_new_workspace_has_its_web_form(user):
    from workspaces.services import workspace_create

    ws = workspace_create(owner=user, name="Formful", slug="formful")
    assert WebForm.all_workspaces.filter(workspace=ws, enabled=True).exists()


def test_sales_reps_cannot_open_the_settings(workspace, client_for):
    client = client_for(Role.SALES)
    assert client.get(reverse("sales:settings", kwargs={"ws": workspace.slug})).status_code == 403


# --- the real client address, per-form limits, renewal and the switch ----------------------
SPAMMER, VISITOR, PROXY = "198.51.100.7", "203.0.113.9", "10.0.0.2"


def post(workspace, address=SPAMMER, token=None, **headers):
    url = reverse("sales_web_form", kwargs={"token": token or web_form_token(workspace)})
    return Client().post(url, VALID, REMOTE_ADDR=address, **headers)


def flood(workspace, **kwargs):
    for _ in range(5):
        assert post(workspace, **kwargs).status_code == 200
    assert post(workspace, **kwargs).status_code == 429


def test_a_spammer_on_one_form_does_not_block_another_workspaces_form(workspace, other_workspace):
    flood(workspace)
    assert post(other_workspace).status_code == 200
    assert Lead.all_workspaces.filter(workspace=other_workspace).count() == 1


def test_behind_a_trusted_proxy_the_limit_counts_each_client(workspace, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    flood(workspace, address=PROXY, HTTP_X_FORWARDED_FOR=SPAMMER)
    # another visitor behind the same proxy still gets through
    assert post(workspace, address=PROXY, HTTP_X_FORWARDED_FOR=VISITOR).status_code == 200
    # the spammer cannot step out by writing his own header entries
    forged = post(workspace, address=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.1, {SPAMMER}")
    assert forged.status_code == 429
    assert Lead.all_workspaces.filter(workspace=workspace).count() == 6


def test_without_a_trusted_proxy_a_forged_header_does_not_escape_the_limit(workspace):
    flood(workspace)
    assert post(workspace, HTTP_X_FORWARDED_FOR=VISITOR).status_code == 429


def test_a_new_form_address_retires_the_old_embed_code(workspace, owner_client):
    old = web_form_token(workspace)
    response = owner_client.post(reverse("sales:web_form_rotate", kwargs={"ws": workspace.slug}))
    assert response.status_code == 302
    new = web_form_token(workspace)
    assert new != old
    old_url = reverse("sales_web_form", kwargs={"token": old})
    assert Client().get(old_url).status_code == 404
    assert post(workspace, token=old).status_code == 404
    assert not Lead.all_workspaces.exists()
    assert post(workspace, token=new).status_code == 200
    page = owner_client.get(reverse("sales:settings", kwargs={"ws": workspace.slug}))
    assert new.encode() in page.content and old.encode() not in page.content


def test_an_embed_code_from_before_renewals_works_until_the_first_renewal(workspace, owner):
    from django.core import signing

    from sales.services.web_form import WEB_FORM_SALT, web_form_rotate

    legacy = signing.Signer(salt=WEB_FORM_SALT).sign_object({"w": workspace.pk})
    assert post(workspace, token=legacy).status_code == 200
    with workspace_scope(workspace):
        web_form_rotate(workspace=workspace, actor=owner)
    assert post(workspace, token=legacy, address=VISITOR).status_code == 404
    assert Lead.all_workspaces.count() == 1


def test_a_switched_off_form_answers_gone_and_stores_nothing(workspace, owner_client):
    settings_url = reverse("sales:settings", kwargs={"ws": workspace.slug})
    toggle = reverse("sales:web_form_toggle", kwargs={"ws": workspace.slug})
    assert owner_client.post(toggle, {"enabled": "0"}).status_code == 302
    assert b"Switched off" in owner_client.get(settings_url).content
    url = _form_url(workspace)
    page = Client().get(url)
    assert page.status_code == 410 and b'data-testid="web-form-off"' in page.content
    assert post(workspace).status_code == 410
    assert not Lead.all_workspaces.exists()
    owner_client.post(toggle, {"enabled": "1"})
    assert post(workspace).status_code == 200


def test_switching_and_renewing_are_recorded_and_stay_in_the_workspace(
    workspace, other_workspace, owner_client
):
    from sales.models import WebForm
    from workspaces.models import ChangeEvent

    other_token = web_form_token(other_workspace)
    owner_client.post(reverse("sales:web_form_toggle", kwargs={"ws": workspace.slug}))
    owner_client.post(reverse("sales:web_form_rotate", kwargs={"ws": workspace.slug}))
    assert WebForm.all_workspaces.get(workspace=other_workspace).enabled
    assert web_form_token(other_workspace) == other_token
    assert post(other_workspace).status_code == 200
    events = ChangeEvent.all_workspaces.filter(workspace=workspace, model="sales.webform")
    assert [sorted(e.fields) for e in events.order_by("id")][-2:] == [
        ["enabled"],
        ["key", "rotated_at"],
    ]


def test_only_managers_switch_or_renew_the_form(workspace, client_for):
    client = client_for(Role.SALES)
    for name in ("sales:web_form_toggle", "sales:web_form_rotate"):
        assert client.post(reverse(name, kwargs={"ws": workspace.slug})).status_code == 403
    from sales.models import WebForm

    form = WebForm.all_workspaces.filter(workspace=workspace).first()
    assert form is None or form.enabled


def test_switch_and_renew_are_post_only(workspace, owner_client):
    for name in ("sales:web_form_toggle", "sales:web_form_rotate"):
        assert owner_client.get(reverse(name, kwargs={"ws": workspace.slug})).status_code == 405
