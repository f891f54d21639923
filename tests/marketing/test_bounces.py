"""The inbound bounce/complaint endpoint: authenticated by the workspace's secret, DSN and ARF
mail and the JSON webhook land on the delivery found by VERP token or Message-ID; hard
bounces and complaints suppress at once (consent withdrawn, timeline entry), soft bounces
after N within M days; re-posts are no-ops; nothing crosses workspaces."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from marketing.models import Delivery, DeliveryEvent, Suppression
from marketing.services.senders import bounce_secret_rotate, bounce_settings_get
from marketing.verp import delivery_id_from_verp_token, delivery_return_path, delivery_verp_token
from tests.contacts.factories import ContactFactory
from tests.marketing.factories import CampaignFactory
from touchpoints.models import Interaction
from workspaces.mail.dsn import verp_token
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parents[1] / "fixtures" / "mail"


def endpoint(slug="acme"):
    return reverse("marketing_bounces", kwargs={"ws": slug})


def secret_of(workspace):
    with workspace_scope(workspace):
        return bounce_settings_get(workspace=workspace).secret


def delivery_make(workspace, email="nobody@example.org", message_id="<m-1@crm.example>"):
    contact = ContactFactory(workspace=workspace, email=email, email_opt_in=True, first_name="Nora")
    campaign = CampaignFactory(workspace=workspace, name="November offers")
    return Delivery.all_workspaces.create(
        workspace=workspace,
        campaign=campaign,
        contact=contact,
        address=contact.email_key,
        status="sent",
        message_id=message_id,
    )


def dsn_for(delivery, fixture="postfix_hard_bounce.eml") -> bytes:
    """A fixture bounce re-addressed to the VERP path of `delivery`."""
    raw = (FIXTURES / fixture).read_text()
    old = verp_token_in(raw)
    new = delivery_return_path(delivery.pk, "bounces.crm.example").split("@")[0][len("bounce+") :]
    return raw.replace(old.replace(":", "="), new).encode()


def verp_token_in(raw: str) -> str:
    for line in raw.splitlines():
        if line.startswith(("Delivered-To:", "To:", "Envelope-to:", "X-Original-To:")):
            token = verp_token(line.split(":", 1)[1].strip())
            if token:
                return token
    raise AssertionError("no VERP address in the fixture")


def post_mail(client, workspace, body: bytes, secret=None):
    return client.post(
        endpoint(workspace.slug),
        data=body,
        content_type="message/rfc822",
        HTTP_AUTHORIZATION=f"Bearer {secret or secret_of(workspace)}",
    )


def post_json(client, workspace, payload, secret=None):
    return client.post(
        endpoint(workspace.slug),
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret or secret_of(workspace)}",
    )


def test_verp_token_round_trip_and_forgery():
    token = delivery_verp_token(42)
    assert delivery_id_from_verp_token(token) == 42
    assert delivery_id_from_verp_token(token.replace("42", "43", 1)) is None
    address = delivery_return_path(42, "bounces.example")
    assert len(address.split("@")[0]) <= 64
    assert delivery_id_from_verp_token(verp_token(address)) == 42


def test_another_workspaces_delivery_is_not_found_by_its_token(workspace, other_workspace, client):
    theirs = delivery_make(other_workspace, message_id="<theirs@crm.example>")
    response = post_mail(client, workspace, dsn_for(theirs))  # their valid token, our endpoint
    assert response.json()["outcomes"][0]["delivery"] is None
    assert not DeliveryEvent.all_workspaces.exists()
    theirs.contact.refresh_from_db()
    assert theirs.contact.email_opt_in is True


def test_without_the_secret_nothing_happens(workspace, client):
    delivery = delivery_make(workspace)
    body = dsn_for(delivery)
    assert client.post(endpoint(), data=body, content_type="message/rfc822").status_code == 401
    assert post_mail(client, workspace, body, secret="wrong").status_code == 401
    assert client.get(endpoint()).status_code == 405
    assert not DeliveryEvent.all_workspaces.exists()
    assert not Suppression.all_workspaces.exists()


def test_hard_bounce_suppresses_at_once(workspace, client):
    delivery = delivery_make(workspace)
    response = post_mail(client, workspace, dsn_for(delivery))
    assert response.status_code == 200
    assert response.json()["outcomes"] == [
        {
            "recipient": "nobody@example.org",
            "result": "suppressed",
            "reason": "hard_bounce",
            "delivery": delivery.pk,
        }
    ]
    event = DeliveryEvent.all_workspaces.get(delivery=delivery)
    assert event.kind == "bounce"
    assert event.data["status"] == "5.1.1" and event.data["severity"] == "hard"
    suppression = Suppression.all_workspaces.get(workspace=workspace)
    assert suppression.address == "nobody@example.org"
    assert suppression.reason == "hard_bounce" and suppression.delivery == delivery
    assert "5.1.1" in suppression.source and suppression.created_at
    contact = delivery.contact
    contact.refresh_from_db()
    assert contact.email_opt_in is False
    kinds = list(Interaction.all_workspaces.filter(contact=contact).values_list("kind", flat=True))
    assert kinds.count("campaign.bounced") == 2  # the bounce on the delivery, the suppression


def test_a_reposted_report_is_a_no_op(workspace, client):
    delivery = delivery_make(workspace)
    body = dsn_for(delivery)
    post_mail(client, workspace, body)
    second = post_mail(client, workspace, body)
    assert second.json()["outcomes"][0]["result"] == "duplicate"
    assert DeliveryEvent.all_workspaces.count() == 1


def test_arf_complaint_found_by_message_id_suppresses(workspace, client):
    delivery = delivery_make(
        workspace, email="reader@hotmail.com", message_id="<delivery-55.1764473400@crm.example>"
    )
    body = (FIXTURES / "arf_complaint.eml").read_bytes()  # its VERP token is not ours
    response = post_mail(client, workspace, body)
    assert response.json()["outcomes"][0]["result"] == "suppressed"
    assert DeliveryEvent.all_workspaces.get(delivery=delivery).kind == "complaint"
    assert Suppression.all_workspaces.get().reason == "complaint"
    assert Interaction.all_workspaces.filter(
        contact=delivery.contact, kind="campaign.complained"
    ).exists()


def test_policy_bounce_is_recorded_and_alerted_but_not_suppressed(workspace, client, client_for):
    senders = reverse("marketing:senders", kwargs={"ws": "acme"})
    marketer = client_for(Role.MARKETING)
    assert 'data-testid="policy-alert"' not in marketer.get(senders).content.decode()
    delivery = delivery_make(workspace, email="someone@gmail.com")
    response = post_mail(client, workspace, dsn_for(delivery, "gmail_policy_bounce.eml"))
    assert response.json()["outcomes"][0]["result"] == "recorded"
    assert DeliveryEvent.all_workspaces.get().data["severity"] == "policy"
    assert not Suppression.all_workspaces.exists()
    page = marketer.get(senders).content.decode()
    assert 'data-testid="policy-alert"' in page and "1 message was refused" in page


def test_delay_warning_changes_nothing(workspace, client):
    delivery = delivery_make(workspace, email="slow@example.net")
    response = post_mail(client, workspace, dsn_for(delivery, "postfix_delayed.eml"))
    assert response.json()["outcomes"][0]["result"] == "ignored"
    assert not DeliveryEvent.all_workspaces.exists()


def test_out_of_office_reply_is_accepted_and_ignored(workspace, client):
    body = (FIXTURES / "out_of_office.eml").read_bytes()
    response = post_mail(client, workspace, body)
    assert response.status_code == 200 and response.json() == {"outcomes": []}


def test_soft_bounces_suppress_after_n_within_m_days(workspace, client):
    with workspace_scope(workspace):
        row = bounce_settings_get(workspace=workspace)
        row.soft_bounce_limit = 2
        row.save()
    first = delivery_make(workspace, email="full@example.com", message_id="<a@crm>")
    second_campaign = CampaignFactory(workspace=workspace)
    second = Delivery.all_workspaces.create(
        workspace=workspace,
        campaign=second_campaign,
        contact=first.contact,
        address=first.address,
        status="sent",
        message_id="<b@crm>",
    )

    def soft(message_id, status="4.2.2"):
        return post_json(
            client,
            workspace,
            {
                "type": "bounce",
                "recipient": "full@example.com",
                "status": status,
                "message_id": message_id,
            },
        ).json()["outcomes"][0]["result"]

    assert soft("<a@crm>") == "recorded"
    assert not Suppression.all_workspaces.exists()
    assert soft("<b@crm>") == "suppressed"
    assert Suppression.all_workspaces.get().reason == "soft_bounces"
    assert DeliveryEvent.all_workspaces.filter(delivery=second).exists()


def test_old_soft_bounces_do_not_count(workspace, client):
    with workspace_scope(workspace):
        row = bounce_settings_get(workspace=workspace)
        row.soft_bounce_limit, row.soft_bounce_days = 2, 7
        row.save()
    delivery = delivery_make(workspace, email="full@example.com", message_id="<a@crm>")
    post_json(
        client,
        workspace,
        {
            "type": "bounce",
            "recipient": "full@example.com",
            "status": "4.2.2",
            "message_id": "<a@crm>",
        },
    )
    DeliveryEvent.all_workspaces.filter(delivery=delivery).update(
        occurred_at=delivery.created_at.replace(year=delivery.created_at.year - 1)
    )
    post_json(
        client,
        workspace,
        {
            "type": "bounce",
            "recipient": "full@example.com",
            "status": "4.2.2",
            "message_id": "<a@crm>",
            "diagnostic": "452 4.2.2 mailbox full, again",
        },
    )
    assert not Suppression.all_workspaces.exists()


def test_webhook_errors_are_400_with_the_reason(workspace, client):
    response = post_json(client, workspace, {"type": "bounce", "recipient": "a@x.example"})
    assert response.status_code == 400
    assert "status" in response.json()["error"]


def test_webhook_complaint_without_a_delivery_still_suppresses(workspace, client):
    contact = ContactFactory(workspace=workspace, email="Ann@Example.org", email_opt_in=True)
    response = post_json(client, workspace, {"type": "complaint", "recipient": "ann@example.org"})
    assert response.json()["outcomes"][0] == {
        "recipient": "ann@example.org",
        "result": "suppressed",
        "reason": "complaint",
        "delivery": None,
    }
    contact.refresh_from_db()
    assert contact.email_opt_in is False


def test_another_workspaces_secret_and_deliveries_do_not_count(workspace, other_workspace, client):
    ours = delivery_make(workspace)
    body = dsn_for(ours)
    # their secret does not open our endpoint
    assert post_mail(client, workspace, body, secret=secret_of(other_workspace)).status_code == 401
    # our bounce posted to their endpoint finds no delivery there and touches nothing of ours
    response = post_mail(client, other_workspace, body)
    assert response.json()["outcomes"][0]["delivery"] is None
    assert not DeliveryEvent.all_workspaces.exists()
    assert not Suppression.all_workspaces.filter(workspace=workspace).exists()
    ours.contact.refresh_from_db()
    assert ours.contact.email_opt_in is True


def test_rotating_the_secret_retires_the_old_one(workspace, client, client_for):
    old = secret_of(workspace)
    response = client_for(Role.MARKETING).post(
        reverse("marketing:bounce_rotate", kwargs={"ws": "acme"})
    )
    assert response.status_code == 302
    new = secret_of(workspace)
    assert new != old
    body = (FIXTURES / "out_of_office.eml").read_bytes()
    assert post_mail(client, workspace, body, secret=old).status_code == 401
    assert post_mail(client, workspace, body, secret=new).status_code == 200


def test_rotation_is_for_editors(workspace, client_for):
    response = client_for(Role.READONLY).post(
        reverse("marketing:bounce_rotate", kwargs={"ws": "acme"})
    )
    assert response.status_code == 403


def test_soft_bounce_rule_is_set_on_the_senders_page(workspace, client_for):
    client = client_for(Role.MARKETING)
    client.post(
        reverse("marketing:bounce_settings", kwargs={"ws": "acme"}),
        {"soft_bounce_limit": "5", "soft_bounce_days": "14"},
    )
    with workspace_scope(workspace):
        row = bounce_settings_get(workspace=workspace)
    assert (row.soft_bounce_limit, row.soft_bounce_days) == (5, 14)
    page = client.get(reverse("marketing:senders", kwargs={"ws": "acme"})).content.decode()
    assert row.secret in page and endpoint() in page


def test_rotate_service_records_time(workspace):
    with workspace_scope(workspace):
        row = bounce_secret_rotate(workspace=workspace, actor=None)
    assert row.rotated_at is not None


def test_message_id_written_by_the_sending_code_finds_its_delivery(workspace, client):
    delivery = delivery_make(workspace, email="ann@example.org")
    Delivery.all_workspaces.filter(pk=delivery.pk).update(
        message_id=f"<m{delivery.pk}.w{workspace.pk}@crm.example>"
    )
    response = post_json(
        client,
        workspace,
        {
            "type": "bounce",
            "recipient": "ann@example.org",
            "status": "5.1.1",
            "message_id": f"<m{delivery.pk}.w{workspace.pk}@crm.example>",
        },
    )
    assert response.json()["outcomes"][0]["delivery"] == delivery.pk
    # the same id with another workspace's number is not ours
    response = post_json(
        client,
        workspace,
        {"type": "complaint", "message_id": f"<m{delivery.pk}.w{workspace.pk + 1}@crm.example>"},
    )
    assert response.json()["outcomes"][0]["delivery"] is None


def _mailto_request(token: str, subject_prefix: str = "") -> bytes:
    """What a mail client sends for the List-Unsubscribe mailto of a campaign message."""
    return (
        "From: Nora <nobody@example.org>\r\n"
        "To: unsubscribe@bounces.crm.example\r\n"
        f"Subject: {subject_prefix}unsubscribe {token}\r\n"
        "Message-ID: <req-1@example.org>\r\n"
        "\r\n"
        "Please take me off the list.\r\n"
    ).encode()


def test_a_mail_to_the_unsubscribe_mailto_unsubscribes_at_once(workspace, client):
    from marketing.tokens import delivery_token

    delivery = delivery_make(workspace)
    response = post_mail(
        client, workspace, _mailto_request(delivery_token(workspace.pk, delivery.pk))
    )
    assert response.status_code == 200
    assert response.json()["outcomes"] == [
        {
            "recipient": "nobody@example.org",
            "result": "unsubscribed",
            "reason": "",
            "delivery": delivery.pk,
        }
    ]
    assert Suppression.all_workspaces.filter(
        workspace=workspace, address="nobody@example.org", reason="unsubscribed"
    ).exists()
    delivery.contact.refresh_from_db()
    assert delivery.contact.email_opt_in is False
    # sent again (a client retrying, a "Re:" subject): still one unsubscribe, no error
    again = post_mail(
        client, workspace, _mailto_request(delivery_token(workspace.pk, delivery.pk), "Re: ")
    )
    assert again.json()["outcomes"][0]["result"] == "unsubscribed"
    assert DeliveryEvent.all_workspaces.filter(delivery=delivery, kind="unsubscribe").count() == 1


def test_a_forged_or_foreign_unsubscribe_mail_unsubscribes_nobody(
    workspace, other_workspace, client
):
    from marketing.tokens import delivery_token

    delivery = delivery_make(workspace)
    theirs = delivery_make(other_workspace, email="theirs@example.org")
    forged = delivery_token(workspace.pk, delivery.pk)[:-3] + "AAA"
    for token in (forged, delivery_token(other_workspace.pk, theirs.pk)):
        response = post_mail(client, workspace, _mailto_request(token))
        assert response.status_code == 200 and response.json()["outcomes"] == []
    assert not Suppression.all_workspaces.exists()
