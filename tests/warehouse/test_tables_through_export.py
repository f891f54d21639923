"""The real tables through the real export (warehouse.services.export) into DuckDB and
Parquet: row counts, a rerun and a full run without duplicates, incremental pick-up of new and
changed rows, merges and deletes, no personal value in any output file, and erasure."""

import datetime

import duckdb
import pyarrow as pa
import pytest

from contacts.services.contacts import contact_create, contact_delete, contact_update
from contacts.services.erasure import contact_erase
from contacts.services.merging import contact_merge
from marketing.models import Delivery
from marketing.services.events import delivery_open
from marketing.services.timeline import timeline_record_many
from sales.services.deals import deal_move_stage
from tests.marketing.factories import CampaignFactory, SegmentFactory, SegmentMemberFactory
from tests.sales.factories import deal_make, pipeline_for, stage_of
from tests.service.factories import new_case
from tests.warehouse.warehouse_reading import parquet_files
from touchpoints.models import Interaction
from touchpoints.services import interaction_record
from warehouse.pseudonyms import pseudonym
from warehouse.registry import TABLES
from warehouse.services.export import context_for, export_workspace

PERSON = {
    "first_name": "Philomena",
    "last_name": "Szczepanski-Oduya",
    "email": "philomena.szczepanski@post.example",
    "phone": "+4930123987654",
    "street": "Brombeerhecke 17",
    "postal_code": "BX9 4QZ",
    "city": "Berlin",
    "job_title": "Master of Lighthouses",
    "date_of_birth": datetime.date(1979, 8, 14),
}
PERSONAL_VALUES = [
    "Philomena",
    "Szczepanski",
    "Oduya",
    "philomena.szczepanski@post.example",
    "30123987654",
    "Brombeerhecke",
    "4QZ",
    "Lighthouses",
    "1979-08-14",
]


@pytest.fixture(params=["duckdb", "parquet"])
def target(request, settings, tmp_path):
    path = tmp_path / ("wh.duckdb" if request.param == "duckdb" else "parquet")
    settings.WAREHOUSE_URL = f"{request.param}://{path}"
    return request.param, path


def read(target, table: str) -> pa.Table:
    """Everything the export wrote for `table` (all workspaces)."""
    kind, path = target
    if kind == "duckdb":
        con = duckdb.connect(str(path), read_only=True)
        try:
            names = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
            if table not in names:
                return pa.table({})
            return con.sql(f'SELECT * FROM "{table}"').to_arrow_table()
        finally:
            con.close()
    files = parquet_files(path, table)
    if not files:
        return pa.table({})
    import pyarrow.parquet as pq

    return pa.concat_tables([pq.ParquetFile(f).read() for f in files], promote_options="permissive")


def keys(target, table: str) -> list:
    data = read(target, table)
    return data.column(TABLES[table].key).to_pylist() if data.num_rows else []


def all_text(target) -> str:
    """Every cell of every exported table as text (what a grep of the warehouse would see)."""
    parts = []
    for name in TABLES:
        data = read(target, name)
        for column in data.column_names:
            parts += [str(v) for v in data.column(column).to_pylist()]
    return "\n".join(parts)


def _seed(workspace, owner):
    person = contact_create(workspace=workspace, actor=owner, tags=["vip"], **PERSON)
    other = contact_create(workspace=workspace, actor=owner, first_name="Other", city="Ulm")
    segment = SegmentFactory(workspace=workspace, name="Regulars")
    SegmentMemberFactory(workspace=workspace, segment=segment, contact=person)
    touches = [
        interaction_record(
            workspace=workspace,
            kind="call.logged",
            channel="phone",
            contact=contact,
            actor=owner,
            subject=f"Call {contact.first_name} {contact.last_name}",
            body=f"{contact.email} {contact.phone} {contact.street}",
        )
        for contact in (person, other, person)
    ]
    deal = deal_make(workspace, actor=owner, contact=person, name="Deal Szczepanski")
    deal_move_stage(
        workspace=workspace,
        actor=owner,
        deal=deal,
        stage=stage_of(pipeline_for(workspace), index=1),
    )
    new_case(workspace, owner, contact=person, subject="Szczepanski complains")
    delivery = Delivery.objects.create(
        workspace=workspace,
        campaign=CampaignFactory(workspace=workspace),
        contact=person,
        address=person.email_key,
        status="sent",
    )
    timeline_record_many(
        workspace_id=workspace.pk,
        entries=[{"kind": "send", "contact_id": person.pk, "delivery_id": delivery.pk}],
    )
    delivery_open(delivery=delivery, user_agent="Mozilla/5.0")
    return person, other, touches


def _key(workspace, contact) -> str:
    return pseudonym(context_for(workspace).secret, "contact", contact.pk)


def test_counts_and_reruns_without_duplicates(scope, owner, target):
    person, other, touches = _seed(scope, owner)
    first = export_workspace(scope)

    counted = {name: len(keys(target, name)) for name in TABLES}
    assert counted["dim_contact"] == 2 and sorted(keys(target, "dim_contact")) == sorted(
        [_key(scope, person), _key(scope, other)]
    )
    assert counted["fact_interactions"] == Interaction.objects.filter(workspace=scope).count()
    assert counted["fact_deliveries"] == 1 and counted["fact_cases"] == 1
    assert counted["fact_deal_stage_changes"] >= 1 and counted["dim_channel"] == 18
    assert counted["dim_user"] == 1 and counted["dim_date"] >= 1
    assert first["fact_interactions"] == counted["fact_interactions"]

    again = export_workspace(scope)
    rebuilt = export_workspace(scope, full=True)

    assert sum(again.values()) == 0  # nothing new: nothing written
    # the factory's campaign has no change event: only the full run sees it
    counted["dim_campaign"] = 1
    for name in TABLES:
        found = keys(target, name)
        assert len(found) == len(set(found)) == counted[name], name
    assert rebuilt["fact_interactions"] == counted["fact_interactions"]


def test_new_changed_merged_and_deleted_rows_are_picked_up(scope, owner, target):
    person, other, touches = _seed(scope, owner)
    export_workspace(scope)
    late = contact_create(workspace=scope, actor=owner, first_name="Late")
    newest = interaction_record(workspace=scope, kind="note.added", channel="note", contact=late)
    contact_update(workspace=scope, actor=owner, contact=other, lifecycle_stage="customer")
    contact_merge(workspace=scope, actor=owner, survivor=late, loser=other, choices={})

    export_workspace(scope)

    contacts = {r["contact_key"]: r for r in read(target, "dim_contact").to_pylist()}
    assert _key(scope, late) in contacts and _key(scope, other) not in contacts
    facts = {r["interaction_id"]: r for r in read(target, "fact_interactions").to_pylist()}
    assert newest.pk in facts
    assert facts[touches[1].pk]["contact_key"] == _key(scope, late)  # moved by the merge
    ids = keys(target, "fact_interactions")
    assert len(ids) == len(set(ids))

    contact_delete(workspace=scope, actor=owner, contact=late)
    export_workspace(scope)

    assert _key(scope, late) not in keys(target, "dim_contact")
    assert newest.pk not in keys(target, "fact_interactions")


def test_no_personal_value_in_the_warehouse(scope, owner, target):
    _seed(scope, owner)

    export_workspace(scope)
    export_workspace(scope, full=True)

    text = all_text(target).lower()
    assert "berlin" in text  # the scan reads the cells
    assert [v for v in PERSONAL_VALUES if v.lower() in text] == []


def test_erasure_reaches_the_warehouse(scope, owner, target):
    person, _other, touches = _seed(scope, owner)
    export_workspace(scope)

    contact_erase(workspace=scope, actor=owner, contact=person)
    export_workspace(scope)

    rows = [
        r
        for r in read(target, "dim_contact").to_pylist()
        if r["contact_key"] == _key(scope, person)
    ]
    assert len(rows) == 1
    row = rows[0]
    assert row["erased"] is True and row["segments"] == [] and row["tags"] == []
    assert row["city"] is None and row["age_band"] is None
    facts = read(target, "fact_interactions").to_pylist()
    assert {r["contact_key"] for r in facts if r["interaction_id"] == touches[0].pk} == {
        _key(scope, person)
    }
    assert "berlin" not in repr(row).lower()


def test_emails_and_phone_numbers_typed_into_vocabulary_fields_are_removed(scope, owner, target):
    """Tags, a city, an outcome: fields that leave as vocabulary, but people type into them.
    Whatever looks like an email address or a phone number is removed on the way out."""
    contact = contact_create(
        workspace=scope,
        actor=owner,
        last_name="Plant",
        city="Ring +49 (151) 123-45678",
        tags=["piia.plant@pii.example", "+4915112345678", "vip"],
    )
    interaction_record(
        workspace=scope,
        kind="call.logged",
        channel="phone",
        contact=contact,
        actor=owner,
        outcome="call back on 0151 98765432 or piia@pii.example",
    )
    export_workspace(scope)
    text = all_text(target).lower()
    assert "pii.example" not in text
    assert "12345678" not in text and "98765432" not in text
    assert "[removed]" in text and "vip" in text  # the rest of the vocabulary stays


def test_scrub_keeps_short_numbers_and_codes():
    from warehouse.pseudonyms import scrub_array

    values = pa.array(["Room 101", "Q3 2026", "call +1 (555) 010-9999", None, "a@b.example x"])
    assert scrub_array(values).to_pylist() == [
        "Room 101",
        "Q3 2026",
        "call [removed]",
        None,
        "[removed] x",
    ]
    tags = pa.array([["x@y.example", "vip"], [], None])
    assert scrub_array(tags).to_pylist() == [["[removed]", "vip"], [], None]
