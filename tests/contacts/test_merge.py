"""Merging two contacts: chosen values, both histories kept, the merge recorded."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contacts.models import Contact, ContactMergeRedirect, ContactTag
from contacts.services.merging import contact_merge
from tests.contacts.factories import AccountFactory, ContactFactory, ContactTagFactory, TagFactory
from touchpoints.models import Interaction
from touchpoints.services import interaction_record
from workspaces.models import ChangeEvent


@pytest.fixture
def pair(scope):
    survivor = ContactFactory(
        workspace=scope,
        first_name="Jon",
        last_name="Smith",
        email="jon@x.io",
        phone="",
        city="Berlin",
    )
    loser = ContactFactory(
        workspace=scope,
        first_name="John",
        last_name="Smith",
        email="john@x.io",
        phone="+49301234567",
        city="Hamburg",
    )
    return survivor, loser


def _merge(scope, survivor, loser, actor=None, **choices):
    return contact_merge(
        workspace=scope, actor=actor, survivor=survivor, loser=loser, choices=choices
    )


def test_chosen_values_win_and_blanks_are_filled(scope, pair):
    survivor, loser = pair
    merged = _merge(scope, survivor, loser, first_name="loser", city="survivor")
    assert (merged.first_name, merged.city, merged.phone) == ("John", "Berlin", "+49301234567")


def test_the_losers_other_email_is_kept_as_second_email(scope, pair):
    survivor, loser = pair
    merged = _merge(scope, survivor, loser)
    assert (merged.email, merged.email2) == ("jon@x.io", "john@x.io")


def test_survivor_keeps_both_timelines(scope, pair):
    survivor, loser = pair
    interaction_record(workspace=scope, kind="call.logged", channel="phone", contact=survivor)
    interaction_record(workspace=scope, kind="call.logged", channel="phone", contact=loser)
    interaction_record(workspace=scope, kind="note.added", channel="note", contact=loser)
    _merge(scope, survivor, loser)
    kinds = sorted(Interaction.objects.filter(contact=survivor).values_list("kind", flat=True))
    assert kinds == ["call.logged", "call.logged", "contact.merged", "note.added"]


def test_tags_move_without_duplicate_links(scope, pair):
    survivor, loser = pair
    shared, only_loser = TagFactory(workspace=scope), TagFactory(workspace=scope)
    ContactTagFactory(workspace=scope, contact=survivor, tag=shared)
    ContactTagFactory(workspace=scope, contact=loser, tag=shared)
    ContactTagFactory(workspace=scope, contact=loser, tag=only_loser)
    _merge(scope, survivor, loser)
    assert sorted(
        ContactTag.objects.filter(contact=survivor).values_list("tag", flat=True)
    ) == sorted([shared.pk, only_loser.pk])


def test_loser_is_deleted(scope, pair):
    survivor, loser = pair
    _merge(scope, survivor, loser)
    assert not Contact.objects.filter(pk=loser.pk).exists()


def test_merge_is_recorded_in_the_change_log_and_timeline(scope, pair, owner):
    survivor, loser = pair
    _merge(scope, survivor, loser, actor=owner)
    merged_event = ChangeEvent.objects.get(
        model="contacts.contact", object_id=survivor.pk, action="merged"
    )
    assert merged_event.data["loser_id"] == loser.pk
    assert merged_event.actor == owner
    tombstone = ChangeEvent.objects.get(
        model="contacts.contact", object_id=loser.pk, action="deleted"
    )
    assert tombstone.data == {"merged_into": survivor.pk}
    touch = Interaction.objects.get(contact=survivor, kind="contact.merged")
    assert touch.data["loser_id"] == loser.pk


def test_merging_a_contact_with_itself_is_refused(scope, pair):
    with pytest.raises(ValidationError):
        _merge(scope, pair[0], pair[0])


def test_merging_across_workspaces_is_refused(scope, other_workspace):
    mine = ContactFactory(workspace=scope)
    theirs = ContactFactory(workspace=other_workspace)
    with pytest.raises(ValidationError):
        _merge(scope, mine, theirs)
    assert Contact.all_workspaces.filter(pk=theirs.pk).exists()


def test_account_choice_is_applied(scope, pair):
    survivor, loser = pair
    loser.account = AccountFactory(workspace=scope, name="Loser GmbH")
    loser.save()
    merged = _merge(scope, survivor, loser)
    assert merged.account.name == "Loser GmbH"


def test_merge_page_shows_both_side_by_side_and_merges(
    client_for, workspace, django_capture_on_commit_callbacks
):
    survivor = ContactFactory(workspace=workspace, first_name="Jon", email="jon@x.io")
    loser = ContactFactory(workspace=workspace, first_name="John", email="john@x.io")
    client = client_for("manager")
    url = reverse("contacts:merge", kwargs={"ws": "acme", "pk": survivor.pk, "other": loser.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert b"Jon" in page.content and b"John" in page.content
    response = client.post(
        url, {"pick_first_name": "loser", "pick_last_name": "survivor", "pick_email": "survivor"}
    )
    assert response.status_code == 302
    survivor.refresh_from_db()
    assert survivor.first_name == "John"
    assert not Contact.all_workspaces.filter(pk=loser.pk).exists()


def test_sales_rep_may_not_merge(client_for, workspace):
    a, b = ContactFactory(workspace=workspace), ContactFactory(workspace=workspace)
    client = client_for("sales")
    url = reverse("contacts:merge", kwargs={"ws": "acme", "pk": a.pk, "other": b.pk})
    assert client.post(url, {}).status_code == 403
    assert Contact.all_workspaces.filter(pk=b.pk).exists()


def test_records_of_other_apps_follow_the_survivor(scope, pair):
    from sales.models import Activity, Deal
    from tests.sales.factories import ActivityFactory, deal_make

    survivor, loser = pair
    deal = deal_make(scope, contact=loser)
    activity = ActivityFactory(workspace=scope, contact=loser)
    _merge(scope, survivor, loser)
    assert Deal.objects.get(pk=deal.pk).contact_id == survivor.pk
    assert Activity.objects.get(pk=activity.pk).contact_id == survivor.pk


def _rows_pointing_at(workspace, contact):
    """One row of every model that points at a contact, pointing at `contact`:
    {relation label: row}. A new relation to Contact needs a line here (checked below)."""
    from marketing.models import Delivery
    from tests.callcentre.call_helpers import call_make
    from tests.journeys.factories import enrolment_make
    from tests.marketing.factories import CampaignFactory, SegmentMemberFactory
    from tests.sales.factories import ActivityFactory, LeadFactory, deal_make
    from tests.scoring.factories import contribution_make
    from tests.service.quality_factories import case_make, survey_make

    tag = TagFactory(workspace=workspace)
    case = case_make(workspace, contact=contact)
    return {
        "touchpoints.interaction.contact": interaction_record(
            workspace=workspace, kind="call.logged", channel="phone", contact=contact
        ),
        "contacts.contacttag.contact": ContactTagFactory(
            workspace=workspace, contact=contact, tag=tag
        ),
        "sales.activity.contact": ActivityFactory(workspace=workspace, contact=contact),
        "sales.lead.converted_contact": LeadFactory(workspace=workspace, converted_contact=contact),
        "sales.deal.contact": deal_make(workspace, contact=contact),
        "contacts.contactmergeredirect.survivor": ContactMergeRedirect.objects.create(
            workspace=workspace, merged_id=10**9, survivor=contact
        ),
        "marketing.segmentmember.contact": SegmentMemberFactory(
            workspace=workspace, contact=contact
        ),
        "marketing.delivery.contact": Delivery.objects.create(
            workspace=workspace,
            campaign=CampaignFactory(workspace=workspace),
            contact=contact,
            address="loser@example.org",
        ),
        "service.case.contact": case,
        "service.csatsurvey.contact": survey_make(workspace, case=case),
        "journeys.enrolment.contact": enrolment_make(workspace, contact=contact),
        "callcentre.call.contact": call_make(workspace, contact=contact),
        "scoring.contribution.contact": contribution_make(workspace, contact=contact),
    }


def _relation_label(rel):
    return f"{rel.related_model._meta.label_lower}.{rel.field.name}"


def test_merge_moves_every_row_that_points_at_the_loser_to_the_survivor(scope, pair):
    """Each relation is checked on its own row: it still exists and now names the survivor
    (deleting the loser would leave "nothing pointing at it" too, by cascade or SET_NULL)."""
    survivor, loser = pair
    rows = _rows_pointing_at(scope, loser)
    relations = {_relation_label(rel): rel for rel in Contact._meta.related_objects}
    assert set(rows) == set(relations), "add a row for each relation to Contact above"
    _merge(scope, survivor, loser)
    for label, row in rows.items():
        field = relations[label].field
        fresh = type(row).all_workspaces.filter(pk=row.pk).first()
        assert fresh is not None, f"{label}: the row went with the loser"
        assert getattr(fresh, field.attname) == survivor.pk, f"{label} does not name the survivor"
