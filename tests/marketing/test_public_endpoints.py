"""Unsubscribe (RFC 8058 one-click), the open pixel and the click redirect: no login, the
workspace from a signed token, tampered tokens refused, never an open redirect."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact
from marketing.models import Delivery, DeliveryEvent, DeliveryStatus, Suppression, TrackedLink
from marketing.tokens import click_token, delivery_token
from tests.marketing.builders import audience, started_campaign
from touchpoints.models import Interaction
from workspaces.models import ChangeEvent

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"


@pytest.fixture
def delivery(workspace, owner):
    segment, _contacts = audience(workspace, n=2)
    campaign = started_campaign(workspace, owner, [segment])
    row = Delivery.all_workspaces.filter(campaign=campaign).order_by("id").first()
    Delivery.all_workspaces.filter(pk=row.pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now() - datetime.timedelta(hours=1)
    )
    row.refresh_from_db()
    return row


def _unsub_url(delivery):
    token = delivery_token(delivery.workspace_id, delivery.pk)
    return reverse("marketing_unsubscribe", kwargs={"token": token})


def test_the_unsubscribe_page_unsubscribes_nobody(delivery):
    response = Client().get(_unsub_url(delivery))
    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert not Suppression.all_workspaces.exists()
    assert Contact.all_workspaces.get(pk=delivery.contact_id).email_opt_in


def test_one_click_post_unsubscribes_at_once(delivery):
    client = Client(enforce_csrf_checks=True)
    response = client.post(_unsub_url(delivery), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    suppression = Suppression.all_workspaces.get()
    assert suppression.address == delivery.address and suppression.reason == "unsubscribed"
    contact = Contact.all_workspaces.get(pk=delivery.contact_id)
    assert not contact.email_opt_in and contact.email_opt_in_at
    assert "one-click" in contact.email_opt_in_source
    assert (
        Interaction.all_workspaces.filter(contact=contact, kind="campaign.unsubscribed").count()
        == 1
    )
    assert any(
        "email_opt_in" in event.fields
        for event in ChangeEvent.all_workspaces.filter(
            model="contacts.contact", object_id=contact.pk
        )
    )
    # again: still 200, still one entry
    assert client.post(_unsub_url(delivery), {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert DeliveryEvent.all_workspaces.filter(kind="unsubscribe").count() == 1
    assert Interaction.all_workspaces.filter(kind="campaign.unsubscribed").count() == 1


def test_a_tampered_token_is_refused(delivery):
    url = _unsub_url(delivery)
    token = delivery_token(delivery.workspace_id, delivery.pk)
    forged = token.replace(f".{delivery.pk}:", f".{delivery.pk + 1}:")
    for bad in (forged, token[:-2] + "xx", "1.2", ""):
        if not bad:
            continue
        bad_url = reverse("marketing_unsubscribe", kwargs={"token": bad})
        assert Client().post(bad_url, {"List-Unsubscribe": "One-Click"}).status_code == 404
    assert not Suppression.all_workspaces.exists()
    assert Client().get(url).status_code == 200


def test_the_pixel_records_one_human_open_and_flags_machine_opens(delivery):
    url = reverse(
        "marketing_open", kwargs={"token": delivery_token(delivery.workspace_id, delivery.pk)}
    )
    client = Client()
    for agent in ("Mozilla/5.0", "Mozilla/5.0 (via ggpht.com GoogleImageProxy)", BROWSER, BROWSER):
        response = client.get(url, HTTP_USER_AGENT=agent)
        assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    events = DeliveryEvent.all_workspaces.filter(delivery=delivery, kind="open")
    assert sorted(e.machine for e in events) == [False, True]
    assert Interaction.all_workspaces.filter(kind="campaign.opened").count() == 1
    # an open seconds after the send is a machine's
    Delivery.all_workspaces.filter(pk=delivery.pk).update(sent_at=timezone.now())
    DeliveryEvent.all_workspaces.all().delete()
    client.get(url, HTTP_USER_AGENT=BROWSER)
    assert DeliveryEvent.all_workspaces.get(kind="open").machine
    # a forged pixel still answers the image and records nothing
    forged = reverse("marketing_open", kwargs={"token": "1.1:AAAAAAAAAAAAAAAAAAAAAA"})
    assert client.get(forged).status_code == 200
    assert DeliveryEvent.all_workspaces.filter(kind="open").count() == 1


def test_a_click_redirects_only_to_the_stored_url(delivery):
    link = TrackedLink.all_workspaces.get(campaign=delivery.campaign, position=1)
    token = click_token(delivery.workspace_id, delivery.pk, 1)
    client = Client()
    response = client.get(
        reverse("marketing_click", kwargs={"token": token}) + "?url=https://evil.example/",
        HTTP_USER_AGENT=BROWSER,
    )
    assert response.status_code == 302 and response["Location"] == link.url
    event = DeliveryEvent.all_workspaces.get(kind="click")
    assert event.link == link
    assert Interaction.all_workspaces.filter(kind="campaign.clicked").count() == 1
    # no link at that position, a delivery token used as a click token, a forged one: 404
    for bad in (
        click_token(delivery.workspace_id, delivery.pk, 99),
        delivery_token(delivery.workspace_id, delivery.pk),
        token[:-1] + ("A" if token[-1] != "A" else "B"),
    ):
        assert client.get(reverse("marketing_click", kwargs={"token": bad})).status_code == 404


def test_a_token_of_one_workspace_cannot_reach_another(delivery, other_workspace):
    forged = click_token(other_workspace.pk, delivery.pk, 1)  # signed, but wrong workspace
    assert Client().get(reverse("marketing_click", kwargs={"token": forged})).status_code == 404
    wrong = delivery_token(other_workspace.pk, delivery.pk)
    url = reverse("marketing_unsubscribe", kwargs={"token": wrong})
    assert Client().post(url, {"List-Unsubscribe": "One-Click"}).status_code == 404
    assert not Suppression.all_workspaces.exists()
