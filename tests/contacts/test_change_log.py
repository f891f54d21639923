"""The change log of contacts is complete: a delete records every row that goes with it or
loses its reference, a merge every row it moves, tag sets every link."""

import pytest

from contacts.models import AccountTag, ContactTag
from contacts.services import (
    accounts as account_services,
    bulk as bulk_services,
    contacts as contact_services,
)
from contacts.services.merging import contact_merge
from sales.models import Deal
from tests.changelog_helpers import event_data_since, events_since, mark
from tests.contacts.factories import (
    AccountFactory,
    ContactFactory,
    ContactTagFactory,
    TagFactory,
)
from tests.sales.factories import ActivityFactory, LeadFactory, deal_make
from touchpoints.models import Interaction
from touchpoints.services import interaction_record

pytestmark = pytest.mark.django_db


def _with_history(workspace, contact):
    """Touch points, a tag, an activity, a deal and a converted lead hang on `contact`."""
    for kind in ("call.logged", "note.added"):
        interaction_record(workspace=workspace, kind=kind, channel="phone", contact=contact)
    link = ContactTagFactory(workspace=workspace, contact=contact)
    activity = ActivityFactory(workspace=workspace, contact=contact)
    deal = deal_make(workspace, contact=contact)
    lead = LeadFactory(workspace=workspace, converted_contact=contact)
    return link, activity, deal, lead


def _touch_points(contact):
    return sorted(Interaction.all_workspaces.filter(contact=contact).values_list("pk", flat=True))


def test_deleting_a_contact_records_every_row_deleted_or_cleared_with_it(scope, owner):
    contact = ContactFactory(workspace=scope)
    link, activity, deal, lead = _with_history(scope, contact)
    touch_points = _touch_points(contact)
    # two logged, "deal.created" and the lifecycle move the open deal makes (lead -> opportunity)
    assert len(touch_points) == 4
    start = mark(scope)

    contact_services.contact_delete(workspace=scope, actor=owner, contact=contact)

    events = events_since(scope, start)
    assert sorted(events) == sorted(
        [
            *[("touchpoints.interaction", pk, "deleted", ()) for pk in touch_points],
            ("contacts.contacttag", link.pk, "deleted", ()),
            ("sales.activity", activity.pk, "deleted", ()),
            ("sales.deal", deal.pk, "updated", ("contact",)),
            ("sales.lead", lead.pk, "updated", ("converted_contact",)),
            ("contacts.contact", contact.pk, "deleted", ()),
        ]
    )
    assert events[-1] == ("contacts.contact", contact.pk, "deleted", ())
    data = event_data_since(scope, start)
    assert data[("sales.activity", activity.pk, "deleted")] == {"via": "contacts.contact"}
    assert data[("contacts.contact", contact.pk, "deleted")] == {}
    assert Deal.all_workspaces.get(pk=deal.pk).contact_id is None


def test_bulk_delete_records_the_rows_of_every_contact(scope, owner):
    contacts = [ContactFactory(workspace=scope) for _ in range(3)]
    histories = [_with_history(scope, c) for c in contacts]
    touch_points = [pk for c in contacts for pk in _touch_points(c)]
    start = mark(scope)

    bulk_services.contacts_bulk_delete(
        workspace=scope, actor=owner, contact_ids=[c.pk for c in contacts]
    )

    events = events_since(scope, start)
    assert len(events) == len(set(events)) == 3 * 1 + len(touch_points) + 3 * 4
    for contact, (link, activity, deal, lead) in zip(contacts, histories, strict=True):
        assert ("contacts.contact", contact.pk, "deleted", ()) in events
        assert ("contacts.contacttag", link.pk, "deleted", ()) in events
        assert ("sales.activity", activity.pk, "deleted", ()) in events
        assert ("sales.deal", deal.pk, "updated", ("contact",)) in events
        assert ("sales.lead", lead.pk, "updated", ("converted_contact",)) in events
    assert {e for e in events if e[0] == "touchpoints.interaction"} == {
        ("touchpoints.interaction", pk, "deleted", ()) for pk in touch_points
    }


def test_deleting_an_account_records_every_reference_it_clears(scope, owner):
    account = AccountFactory(workspace=scope)
    contact = ContactFactory(workspace=scope, account=account)
    interaction = interaction_record(
        workspace=scope, kind="visit.logged", channel="phone", account=account
    )
    deal = deal_make(scope, account=account)
    link = AccountTag.all_workspaces.create(
        workspace=scope, account=account, tag=TagFactory(workspace=scope)
    )
    start = mark(scope)

    account_services.account_delete(workspace=scope, actor=owner, account=account)

    events = events_since(scope, start)
    assert ("contacts.contact", contact.pk, "updated", ("account",)) in events
    assert ("touchpoints.interaction", interaction.pk, "updated", ("account",)) in events
    assert ("sales.deal", deal.pk, "updated", ("account",)) in events
    assert ("contacts.accounttag", link.pk, "deleted", ()) in events
    assert events[-1] == ("contacts.account", account.pk, "deleted", ())


def test_a_merge_records_every_row_it_moves_or_drops(scope, owner):
    survivor, loser = ContactFactory(workspace=scope), ContactFactory(workspace=scope)
    shared = TagFactory(workspace=scope)
    ContactTagFactory(workspace=scope, contact=survivor, tag=shared)
    duplicate_link = ContactTagFactory(workspace=scope, contact=loser, tag=shared)
    moved_link = ContactTagFactory(workspace=scope, contact=loser)
    link, activity, deal, lead = _with_history(scope, loser)
    touch_points = _touch_points(loser)
    about_loser = interaction_record(
        workspace=scope, kind="note.added", channel="note", contact=survivor, source=loser
    )
    start = mark(scope)

    contact_merge(workspace=scope, actor=owner, survivor=survivor, loser=loser)

    events = events_since(scope, start)
    moved = {e for e in events if e[2] == "updated"}
    assert moved == {
        *[("touchpoints.interaction", pk, "updated", ("contact",)) for pk in touch_points],
        ("touchpoints.interaction", about_loser.pk, "updated", ("source_id",)),
        ("contacts.contacttag", moved_link.pk, "updated", ("contact",)),
        ("contacts.contacttag", link.pk, "updated", ("contact",)),
        ("sales.activity", activity.pk, "updated", ("contact",)),
        ("sales.deal", deal.pk, "updated", ("contact",)),
        ("sales.lead", lead.pk, "updated", ("converted_contact",)),
    }
    assert ("contacts.contacttag", duplicate_link.pk, "deleted", ()) in events
    assert ("contacts.contact", loser.pk, "deleted", ()) in events
    assert events[-1][:3] == ("contacts.contact", survivor.pk, "merged")
    data = event_data_since(scope, start)
    assert data[("sales.deal", deal.pk, "updated")] == {"from": loser.pk, "to": survivor.pk}
    assert data[("contacts.contact", loser.pk, "deleted")] == {"merged_into": survivor.pk}
    # and each moved row really points at the survivor now
    assert Deal.all_workspaces.get(pk=deal.pk).contact_id == survivor.pk
    assert set(_touch_points(survivor)) >= set(touch_points)


def test_changing_a_tag_set_records_each_link(scope, owner):
    old, kept = TagFactory(workspace=scope, name="old"), TagFactory(workspace=scope, name="kept")
    contact = contact_services.contact_create(
        workspace=scope, actor=owner, last_name="Tagged", tags=[old, kept]
    )
    old_link = ContactTag.all_workspaces.get(contact=contact, tag=old)
    start = mark(scope)

    contact_services.contact_update(
        workspace=scope, actor=owner, contact=contact, tags=[kept, "new"]
    )

    new_link = ContactTag.all_workspaces.get(contact=contact, tag__name="new")
    assert events_since(scope, start) == [
        ("contacts.tag", new_link.tag_id, "created", ("name",)),
        ("contacts.contacttag", old_link.pk, "deleted", ()),
        ("contacts.contacttag", new_link.pk, "created", ("contact", "tag")),
        ("contacts.contact", contact.pk, "updated", ("tags",)),
    ]


def test_a_new_contacts_links_are_recorded_after_it(scope, owner):
    tag = TagFactory(workspace=scope)
    start = mark(scope)
    contact = contact_services.contact_create(
        workspace=scope, actor=owner, last_name="New", tags=[tag]
    )
    link = ContactTag.all_workspaces.get(contact=contact)
    assert [e[:3] for e in events_since(scope, start)] == [
        ("contacts.contact", contact.pk, "created"),
        ("contacts.contacttag", link.pk, "created"),
    ]


def test_bulk_tagging_records_each_new_link(scope, owner):
    contacts = [ContactFactory(workspace=scope) for _ in range(3)]
    tag = TagFactory(workspace=scope)
    ContactTagFactory(workspace=scope, contact=contacts[0], tag=tag)
    start = mark(scope)

    bulk_services.contacts_bulk_add_tag(
        workspace=scope, actor=owner, contact_ids=[c.pk for c in contacts], tag=tag
    )

    links = {
        link.contact_id: link.pk
        for link in ContactTag.all_workspaces.filter(tag=tag, contact__in=contacts[1:])
    }
    assert sorted(events_since(scope, start)) == sorted(
        [
            *[("contacts.contacttag", pk, "created", ("contact", "tag")) for pk in links.values()],
            *[("contacts.contact", c.pk, "updated", ("tags",)) for c in contacts[1:]],
        ]
    )


def test_an_import_batch_takes_the_change_sequence_once_after_its_writes(scope):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from contacts.imports.jobs import import_job_create, import_job_queue
    from contacts.imports.runner import import_run
    from tests.contacts.fixtures.importing import csv_bytes, upload

    ContactFactory(workspace=scope, email="known@example.com", city="")
    data = csv_bytes(
        "Email,Last name,Company,City",
        "known@example.com,Known,Acme,Bonn",  # updates a contact
        "new1@example.com,New,Acme,Bonn",  # creates an account and a contact
        "new2@example.com,New,Beta,Köln",
        "new3@example.com,New,Gamma,Ulm",
    )
    job = import_job_create(workspace=scope, actor=None, upload=upload(data))
    import_job_queue(job=job, actor=None, enqueue=False)
    start = mark(scope)
    with CaptureQueriesContext(connection) as queries:
        import_run(job_id=job.pk, batch_size=2)

    statements = [q["sql"].lower() for q in queries.captured_queries]
    takes = [i for i, sql in enumerate(statements) if "changesequence" in sql]
    assert len(takes) == 2  # one per batch, though each batch records several kinds of rows
    for take in takes:  # right after the batch's counters: the last lock the batch takes
        assert statements[take - 1].startswith('update "contacts_importjob"')
    kinds = {(m, a) for m, _id, a, _f in events_since(scope, start)}
    assert kinds >= {
        ("contacts.contact", "updated"),
        ("contacts.contact", "created"),
        ("contacts.account", "created"),
    }
