"""Erasing a contact's personal data: what goes, what stays, what is recorded, the hooks of
marketing and journeys, the page, and what the warehouse then exports."""

import datetime

import pytest
from django.urls import reverse

from contacts.models import Contact, ContactTag
from contacts.services.contacts import contact_create
from contacts.services.erasure import contact_erase
from contacts.services.privacy import address_digest
from journeys.models import EnrolmentStatus
from marketing.models import Delivery, SegmentMember, Suppression
from tests.contacts.factories import AccountFactory
from tests.journeys.factories import enrolment_make
from tests.marketing.factories import CampaignFactory, SegmentFactory, SuppressionFactory
from tests.warehouse.tables_helpers import (
    SECRET,
    ctx_for,
    every_value_as_text,
    refreshed,
    seq_now,
    window_since,
)
from touchpoints.models import Interaction
from touchpoints.services import interaction_record
from warehouse.pseudonyms import pseudonym
from workspaces.models import ChangeEvent

PERSONAL = ("Wilhelmina", "Oyelaran-Brückner", "wilhelmina.oyelaran@example.net", "Quittenweg")


def _person(workspace, owner, **fields):
    values = {
        "first_name": "Wilhelmina",
        "last_name": "Oyelaran-Brückner",
        "email": "wilhelmina.oyelaran@example.net",
        "phone": "+4930901820",
        "street": "Quittenweg 12",
        "postal_code": "10117",
        "city": "Berlin",
        "country": "Germany",
        "date_of_birth": datetime.date(1990, 4, 2),
        "job_title": "Head of purchasing",
        "sex": "female",
        "lifecycle_stage": "customer",
        "tags": ["vip"],
    }
    values.update(fields)
    return contact_create(workspace=workspace, actor=owner, **values)


def test_personal_fields_tags_and_touch_point_text_go(scope, owner):
    contact = _person(scope, owner, account=AccountFactory(workspace=scope))
    call = interaction_record(
        workspace=scope,
        kind="call.logged",
        channel="phone",
        contact=contact,
        subject="Wilhelmina called",
        body="About her divorce",
        data={"note": "private"},
    )

    erased = contact_erase(workspace=scope, actor=owner, contact=contact)

    row = Contact.objects.get(pk=contact.pk)
    assert erased.erased_at is not None and row.erased_at == erased.erased_at
    for field in ("first_name", "last_name", "email", "phone", "street", "postal_code", "city"):
        assert getattr(row, field) == "", field
    assert row.date_of_birth is None and row.birthday_month is None and row.account_id is None
    assert row.lifecycle_stage == "customer"  # not personal: the counts stay right
    assert not ContactTag.objects.filter(contact=contact).exists()
    call.refresh_from_db()
    assert (call.subject, call.body, call.data) == ("", "", {})
    assert (call.kind, call.channel, call.contact_id) == ("call.logged", "phone", contact.pk)


def test_erasure_is_recorded_for_the_consumers(scope, owner):
    contact = _person(scope, owner)
    call = interaction_record(
        workspace=scope, kind="call.logged", channel="phone", contact=contact, subject="x"
    )
    before = seq_now(scope)

    contact_erase(workspace=scope, actor=owner, contact=contact)

    events = ChangeEvent.objects.filter(workspace=scope, seq__gt=before)
    own = events.get(model="contacts.contact", object_id=contact.pk)
    assert own.action == "updated" and own.data == {"erased": True}
    assert {"first_name", "email", "erased_at"} <= set(own.fields)
    assert events.filter(model="touchpoints.interaction", object_id=call.pk).exists()
    assert events.filter(model="contacts.contacttag", action="deleted").exists()
    assert own.seq == max(e.seq for e in events)  # the contact's event comes last


def test_erasing_again_changes_nothing(scope, owner):
    contact = _person(scope, owner)
    first = contact_erase(workspace=scope, actor=owner, contact=contact).erased_at
    before = seq_now(scope)

    again = contact_erase(workspace=scope, actor=owner, contact=contact)

    assert again.erased_at == first
    assert seq_now(scope) == before


def test_marketing_drops_memberships_and_addresses_but_keeps_suppressions(scope, owner):
    contact = _person(scope, owner)
    segment = SegmentFactory(workspace=scope)
    SegmentMember.objects.create(workspace=scope, segment=segment, contact=contact)
    campaign = CampaignFactory(workspace=scope)
    delivery = Delivery.objects.create(
        workspace=scope, campaign=campaign, contact=contact, address=contact.email_key
    )
    SuppressionFactory(workspace=scope, address=contact.email_key)

    contact_erase(workspace=scope, actor=owner, contact=contact)

    assert not SegmentMember.objects.filter(contact=contact).exists()
    delivery.refresh_from_db()
    assert delivery.address == f"erased-{delivery.pk}"
    # the suppression stays, keyed by the address's hash instead of the address
    digest = address_digest(workspace=scope, key="wilhelmina.oyelaran@example.net")
    assert Suppression.objects.filter(address=f"erased:{digest}").exists()
    assert not Suppression.objects.filter(address="wilhelmina.oyelaran@example.net").exists()


def test_journeys_stop_the_contacts_active_enrolments(scope, owner):
    contact = _person(scope, owner)
    enrolment = enrolment_make(scope, contact=contact)

    contact_erase(workspace=scope, actor=owner, contact=contact)

    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.STOPPED and enrolment.next_run_at is None
    exits = Interaction.objects.filter(contact=contact, kind="journey.exited")
    assert exits.exists() and exits.get().subject == ""  # cleared with the rest


def test_the_warehouse_rereads_an_erased_contact_as_faceless(scope, owner):
    contact = _person(scope, owner)
    segment = SegmentFactory(workspace=scope)
    SegmentMember.objects.create(workspace=scope, segment=segment, contact=contact)
    interaction_record(
        workspace=scope, kind="call.logged", channel="phone", contact=contact, subject="Quittenweg"
    )
    before = seq_now(scope)

    contact_erase(workspace=scope, actor=owner, contact=contact)

    ctx = ctx_for(scope)
    keys, table = refreshed("dim_contact", ctx, window_since(scope, before))
    key = pseudonym(SECRET, "contact", contact.pk)
    assert keys == [key]
    row = table.to_pylist()[0]
    assert row["erased"] is True and row["segments"] == [] and row["tags"] == []
    assert row["age_band"] is None and row["city"] is None and row["postcode_area"] is None
    _keys, facts = refreshed("fact_interactions", ctx, window_since(scope, before))
    assert set(facts.column("contact_key").to_pylist()) == {key}
    text = every_value_as_text(table) + every_value_as_text(facts)
    for value in PERSONAL:
        assert value not in text


def test_another_workspaces_contact_is_refused(scope, owner, other_workspace):
    from django.core.exceptions import ValidationError

    from tests.contacts.factories import ContactFactory

    stranger = ContactFactory(workspace=other_workspace)
    with pytest.raises(ValidationError):
        contact_erase(workspace=scope, actor=owner, contact=stranger)


# --- the page ------------------------------------------------------------------------------

URL = reverse("contacts:erase", kwargs={"ws": "acme"})


def _page_contact(workspace):
    from workspaces.scoping import workspace_scope

    with workspace_scope(workspace):
        return contact_create(
            workspace=workspace, actor=None, first_name="Wilhelmina", email="w@example.net"
        )


def test_owners_see_the_button_and_the_confirmation(workspace, client_for):
    contact = _page_contact(workspace)
    client = client_for("owner")

    detail = client.get(reverse("contacts:detail", kwargs={"ws": "acme", "pk": contact.pk}))
    page = client.get(URL, {"contact": contact.pk})

    assert 'data-testid="action-erase"' in detail.content.decode()
    assert page.status_code == 200 and 'data-testid="confirm-erase"' in page.content.decode()
    assert Contact.all_workspaces.get(pk=contact.pk).erased_at is None  # GET writes nothing


def test_confirming_erases_and_returns_to_the_contact(workspace, client_for):
    contact = _page_contact(workspace)

    response = client_for("admin").post(f"{URL}?contact={contact.pk}")

    assert response.status_code == 302
    assert response.url == reverse("contacts:detail", kwargs={"ws": "acme", "pk": contact.pk})
    row = Contact.all_workspaces.get(pk=contact.pk)
    assert row.erased_at is not None and row.first_name == ""
    page = client_for("admin").get(response.url).content.decode()
    assert 'data-testid="erased-notice"' in page  # says what happened, not "asked not to be called"
    assert 'data-testid="dnc-warning"' not in page


@pytest.mark.parametrize("role", ["manager", "sales", "readonly"])
def test_others_may_not_erase(workspace, client_for, role):
    contact = _page_contact(workspace)
    client = client_for(role)

    detail = client.get(reverse("contacts:detail", kwargs={"ws": "acme", "pk": contact.pk}))
    response = client.post(f"{URL}?contact={contact.pk}")

    assert 'data-testid="action-erase"' not in detail.content.decode()
    assert response.status_code in (403, 405)
    assert Contact.all_workspaces.get(pk=contact.pk).first_name == "Wilhelmina"


def test_another_workspaces_contact_is_a_404(workspace, other_workspace, client_for):
    stranger = _page_contact(other_workspace)

    response = client_for("owner").post(f"{URL}?contact={stranger.pk}")

    assert response.status_code == 404
    assert Contact.all_workspaces.get(pk=stranger.pk).erased_at is None
