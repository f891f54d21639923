"""The public "contact us / complaint" form: signed id, a case for the sender's contact,
honeypot, rate limit, switched off, renewed address, settings page."""

import pytest
from django.test import Client
from django.urls import reverse

from service.models import Case, CaseMessage, MessageKind
from service.services import web_form as web_form_services
from tests.contacts.factories import ContactFactory
from tests.service import factories as f
from touchpoints.models import Interaction
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db

VALID = {
    "type": "complaint",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.com",
    "subject": "Broken on arrival",
    "message": "The box was crushed.",
    "order_ref": "SO-1001",
}


def form_url(workspace) -> str:
    with workspace_scope(workspace):
        row = web_form_services.case_web_form_get_or_create(workspace=workspace)
    return reverse(
        "service_case_form", kwargs={"token": web_form_services.case_web_form_token(row)}
    )


def test_a_submission_opens_a_case_for_a_new_contact(client, workspace):
    queue = f.queue(workspace)
    with workspace_scope(workspace):
        web_form_services.case_web_form_update(
            workspace=workspace, actor=None, enabled=True, queue=queue
        )
    response = client.post(form_url(workspace), VALID)
    assert response.status_code == 200 and 'data-testid="thanks"' in response.content.decode()
    case = Case.all_workspaces.get()
    assert (case.type, case.channel, case.queue, case.order_ref) == (
        "complaint",
        "website",
        queue,
        "SO-1001",
    )
    assert case.contact.email == "ada@example.com" and case.contact.last_name == "Lovelace"
    message = CaseMessage.all_workspaces.get()
    assert message.kind == MessageKind.CUSTOMER and message.body_text == "The box was crushed."
    assert Interaction.all_workspaces.get(kind="case.opened").channel == "website"


def test_a_known_address_finds_its_contact_and_keeps_its_name(client, workspace):
    known = ContactFactory(workspace=workspace, first_name="Augusta", email="ADA@example.com")
    client.post(form_url(workspace), VALID)
    case = Case.all_workspaces.get()
    assert case.contact == known
    known.refresh_from_db()
    assert known.first_name == "Augusta"


def test_the_honeypot_stores_nothing(client, workspace):
    client.post(form_url(workspace), {**VALID, "website_url": "http://spam"})
    assert not Case.all_workspaces.exists()


def test_the_rate_limit_stops_floods_from_one_address(client, workspace):
    url = form_url(workspace)
    codes = [client.post(url, VALID).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    assert Case.all_workspaces.count() == 5


def test_a_forged_or_retired_id_is_404(client, workspace, owner):
    url = form_url(workspace)
    assert client.post(url[:-3] + "xx/", VALID).status_code == 404
    with workspace_scope(workspace):
        web_form_services.case_web_form_rotate(workspace=workspace, actor=owner)
    assert client.get(url).status_code == 404
    assert client.get(form_url(workspace)).status_code == 200


def test_a_switched_off_form_is_gone_and_stores_nothing(client, workspace):
    url = form_url(workspace)
    with workspace_scope(workspace):
        web_form_services.case_web_form_update(workspace=workspace, actor=None, enabled=False)
    assert client.post(url, VALID).status_code == 410
    assert not Case.all_workspaces.exists()


def test_missing_fields_are_shown_at_the_field(client, workspace):
    response = client.post(form_url(workspace), {**VALID, "email": "not-an-address"})
    assert response.status_code == 200 and "email" in response.context["form"].errors
    assert not Case.all_workspaces.exists()


def test_the_settings_page_shows_the_address_and_renews_it(workspace, client_for):
    client = client_for(Role.SERVICE)
    page = client.get(reverse("service:web_form", kwargs={"ws": "acme"})).content.decode()
    old = form_url(workspace)
    assert old in page
    client.post(reverse("service:web_form", kwargs={"ws": "acme"}), {"action": "rotate"})
    assert Client().get(old).status_code == 404
    readonly = client_for(Role.READONLY)
    assert (
        readonly.post(
            reverse("service:web_form", kwargs={"ws": "acme"}), {"action": "rotate"}
        ).status_code
        == 403
    )
