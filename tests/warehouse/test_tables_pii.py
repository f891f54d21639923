"""No personal value leaves: seed contacts, accounts, users and their history with
distinctive names, addresses and numbers, export every table's rows (full and windowed) and
search every column of every row for each seeded value."""

import datetime

from django.utils import timezone

from contacts.services.accounts import account_create
from contacts.services.contacts import contact_create
from marketing.models import Delivery
from marketing.services.events import delivery_open
from marketing.services.timeline import timeline_record_many
from sales.services.deals import deal_move_stage
from tests.factories import MembershipFactory, UserFactory
from tests.marketing.factories import CampaignFactory, SegmentFactory, SegmentMemberFactory
from tests.sales.factories import deal_make, pipeline_for, stage_of
from tests.service.factories import new_case
from tests.warehouse.tables_helpers import (
    appended_of,
    ctx_for,
    every_value_as_text,
    rows_of,
    seq_now,
)
from touchpoints.services import interaction_record
from warehouse.registry import Window, tables

PEOPLE = [
    {
        "first_name": "Xaverine",
        "last_name": "Pfefferkorn-Adeyemi",
        "email": "xaverine.pfefferkorn@mailbox.example",
        "email2": "x.p.private@other.example",
        "phone": "+4917612398745",
        "mobile": "+4915209876123",
        "street": "Zypressenstieg 41",
        "postal_code": "22767",
        "city": "Hamburg",
        "job_title": "Chief Yodelling Officer",
        "date_of_birth": datetime.date(1984, 2, 29),
    },
    {
        "first_name": "Bartholomew",
        "last_name": "Quenneville",
        "email": "bquenneville@inbox.example",
        "phone": "+442079460321",
        "street": "Marigold Crescent 9",
        "postal_code": "EC1A 7QJ",
        "city": "London",
        "job_title": "Keeper of Zebras",
        "date_of_birth": datetime.date(1957, 11, 3),
    },
]
USER = {"first_name": "Ingeborg", "last_name": "Vantongerloo", "email": "ingeborg@staff.example"}


def _seeded_values() -> list[str]:
    values = []
    for person in PEOPLE:
        for field, value in person.items():
            if field == "city":
                continue  # a city is exported on purpose (not identifying on its own)
            values.append(value.isoformat() if isinstance(value, datetime.date) else value)
    values += ["Pfefferkorn", "Quenneville", "22767", "EC1A", "7QJ", "Zypressen", "Marigold"]
    values += ["17612398745", "2079460321", "xaverine", "bquenneville"]
    values += list(USER.values()) + ["Vantongerloo", "Orrery Holdings", "orrery.example"]
    return values


def _seed(workspace):
    staff = UserFactory(**USER)
    MembershipFactory(workspace=workspace, user=staff, role="sales")
    account = account_create(
        workspace=workspace,
        actor=staff,
        name="Orrery Holdings",
        domain="orrery.example",
        phone="+4940555123",
        street="Zypressenstieg 43",
        city="Hamburg",
        industry="Retail",
    )
    contacts = [
        contact_create(workspace=workspace, actor=staff, account=account, **person)
        for person in PEOPLE
    ]
    segment = SegmentFactory(workspace=workspace, name="Regulars")
    pipeline = pipeline_for(workspace)
    campaign = CampaignFactory(workspace=workspace, name="Spring letter")
    for contact in contacts:
        SegmentMemberFactory(workspace=workspace, segment=segment, contact=contact)
        interaction_record(
            workspace=workspace,
            kind="call.logged",
            channel="phone",
            contact=contact,
            actor=staff,
            subject=f"Call with {contact.first_name} {contact.last_name}",
            body=f"Reach {contact.email} or {contact.phone}, {contact.street}",
            data={"phone": contact.phone},
            outcome="reached",
        )
        deal = deal_make(workspace, actor=staff, contact=contact, name=f"Deal {contact.last_name}")
        deal_move_stage(
            workspace=workspace, actor=staff, deal=deal, stage=stage_of(pipeline, index=1)
        )
        new_case(
            workspace,
            staff,
            contact=contact,
            subject=f"{contact.last_name} complains",
            body=f"Write to {contact.email}",
        )
        delivery = Delivery.objects.create(
            workspace=workspace,
            campaign=campaign,
            contact=contact,
            address=contact.email_key,
            status="sent",
            sent_at=timezone.now(),
        )
        timeline_record_many(
            workspace_id=workspace.pk,
            entries=[
                {
                    "kind": "send",
                    "contact_id": contact.pk,
                    "delivery_id": delivery.pk,
                    "subject": f"Hello {contact.first_name}",
                }
            ],
        )
        delivery_open(delivery=delivery, user_agent="Mozilla/5.0")
    return contacts


def test_no_seeded_personal_value_appears_in_any_table(scope):
    _seed(scope)
    ctx = ctx_for(scope)
    window = Window(0, seq_now(scope))
    texts = {}
    for table in tables():
        exported = [rows_of(table.name, ctx)]
        keys = list(table.changed_keys(ctx, window))
        exported.append(rows_of(table.name, ctx, keys))
        if table.appended:
            exported.append(appended_of(table.name, ctx, window))
        assert sum(t.num_rows for t in exported) > 0, table.name  # something was checked
        texts[table.name] = "\n".join(every_value_as_text(t) for t in exported)

    leaks = [
        (name, value)
        for name, text in texts.items()
        for value in _seeded_values()
        if value.lower() in text.lower()
    ]
    assert leaks == []
    assert "Hamburg" in texts["dim_contact"]  # the search does see the cells
