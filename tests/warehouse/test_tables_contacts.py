"""dim_contact and dim_account read directly; the pseudonym and banding helpers."""

import datetime

from django.utils import timezone

from contacts.models import Contact
from contacts.services.accounts import account_create, account_update
from contacts.services.contacts import contact_create, contact_delete, contact_update
from contacts.services.merging import contact_merge
from marketing.services.segments import segment_members_add
from tests.marketing.factories import SegmentFactory
from tests.warehouse.tables_helpers import (
    SECRET,
    changed,
    column,
    ctx_for,
    refreshed,
    rows_of,
    seq_now,
    window_since,
)
from warehouse.pseudonyms import age_band, postcode_area, pseudonym
from warehouse.registry import Window
from workspaces.changelog import update_recorded

NAME = "dim_contact"


def _years_ago(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


def _key(contact) -> str:
    return pseudonym(SECRET, "contact", contact.pk)


def test_pseudonym_is_a_stable_keyed_hash_per_kind():
    key = pseudonym(b"s", "contact", 7)
    assert key == pseudonym(b"s", "contact", 7) and len(key) == 32
    assert key != pseudonym(b"t", "contact", 7)
    assert key != pseudonym(b"s", "account", 7)
    assert int(key, 16) >= 0


def test_age_bands_change_on_the_birthday():
    today = datetime.date(2026, 6, 15)
    assert age_band(datetime.date(2001, 6, 15), today) == "25-34"
    assert age_band(datetime.date(2001, 6, 16), today) == "18-24"
    assert age_band(datetime.date(2010, 1, 1), today) == "0-17"
    assert age_band(datetime.date(1950, 1, 1), today) == "65+"
    assert age_band(None, today) is None
    assert age_band(datetime.date(2030, 1, 1), today) is None


def test_postcode_area_keeps_two_characters():
    assert postcode_area("SW1A 1AA") == "SW"
    assert postcode_area(" 80331") == "80"
    assert postcode_area("") is None and postcode_area(None) is None


def test_row_is_banded_and_has_no_personal_columns(scope, owner):
    contact = contact_create(
        workspace=scope,
        actor=owner,
        first_name="Ottilie",
        last_name="Quarshie",
        email="ottilie@example.org",
        date_of_birth=_years_ago(30),
        sex="female",
        education="master",
        street="Lindenallee 7",
        postal_code="80331",
        city="Munich",
        country="Germany",
        lifecycle_stage="customer",
        tags=["vip", "newsletter"],
    )
    segment = SegmentFactory(workspace=scope, name="Loyal buyers")
    segment_members_add(workspace=scope, actor=owner, segment=segment, contact_ids=[contact.pk])

    row = rows_of(NAME, ctx_for(scope)).to_pylist()[0]

    assert row["contact_key"] == _key(contact)
    assert row["age_band"] == "25-34" and row["postcode_area"] == "80"
    assert (row["sex"], row["education"], row["city"], row["country"]) == (
        "female",
        "master",
        "Munich",
        "Germany",
    )
    assert row["tags"] == ["newsletter", "vip"]
    assert row["segment_ids"] == [segment.pk] and row["segments"] == ["Loyal buyers"]
    assert row["erased"] is False and row["created"] == timezone.localdate()
    assert not {"first_name", "last_name", "email", "phone", "street", "date_of_birth"} & set(row)


def test_created_updated_and_tagged_contacts_are_changed_keys(scope, owner):
    kept = contact_create(workspace=scope, actor=owner, first_name="Kept")
    before = seq_now(scope)
    new = contact_create(workspace=scope, actor=owner, first_name="New")
    contact_update(workspace=scope, actor=owner, contact=kept, tags=["late"])

    keys, table = refreshed(NAME, ctx_for(scope), window_since(scope, before))

    assert sorted(keys) == sorted([_key(new), _key(kept)])
    rows = {r["contact_key"]: r for r in table.to_pylist()}
    assert rows[_key(kept)]["tags"] == ["late"]


def test_a_queryset_update_reaches_the_dimension(scope, owner):
    contact = contact_create(workspace=scope, actor=owner, first_name="Bulk")
    before = seq_now(scope)
    update_recorded(
        workspace=scope,
        actor=owner,
        queryset=Contact.objects.filter(pk=contact.pk),
        lifecycle_stage="churned",
    )

    keys, table = refreshed(NAME, ctx_for(scope), window_since(scope, before))

    assert keys == [_key(contact)]
    assert column(table, "lifecycle_stage") == ["churned"]


def test_a_deleted_contact_is_a_key_without_row(scope, owner):
    contact = contact_create(workspace=scope, actor=owner, first_name="Gone")
    before = seq_now(scope)
    contact_delete(workspace=scope, actor=owner, contact=contact)

    keys, table = refreshed(NAME, ctx_for(scope), window_since(scope, before))

    assert keys == [_key(contact)]
    assert table.num_rows == 0


def test_a_merge_removes_the_loser_and_rewrites_the_survivor(scope, owner):
    survivor = contact_create(workspace=scope, actor=owner, first_name="Ann", city="Ulm")
    loser = contact_create(workspace=scope, actor=owner, first_name="Anne", tags=["from-loser"])
    before = seq_now(scope)
    contact_merge(workspace=scope, actor=owner, survivor=survivor, loser=loser, choices={})

    keys, table = refreshed(NAME, ctx_for(scope), window_since(scope, before))

    assert {_key(survivor), _key(loser)} <= set(keys)
    assert column(table, "contact_key") == [_key(survivor)]
    assert column(table, "tags") == [["from-loser"]]


def test_segment_membership_names_the_contact(scope, owner):
    contact = contact_create(workspace=scope, actor=owner, first_name="Seg")
    segment = SegmentFactory(workspace=scope)
    before = seq_now(scope)
    segment_members_add(workspace=scope, actor=owner, segment=segment, contact_ids=[contact.pk])

    assert changed(NAME, ctx_for(scope), window_since(scope, before)) == [_key(contact)]


def test_rows_find_keys_a_fresh_run_has_not_hashed(scope, owner):
    contact = contact_create(workspace=scope, actor=owner, first_name="Fresh")
    contact_create(workspace=scope, actor=owner, first_name="Other")

    table = rows_of(NAME, ctx_for(scope), [_key(contact), "0" * 32])

    assert column(table, "contact_key") == [_key(contact)]


def test_empty_window_changes_nothing(scope, owner):
    contact_create(workspace=scope, actor=owner, first_name="Quiet")
    now = seq_now(scope)
    assert changed(NAME, ctx_for(scope), Window(now, now)) == []


def test_account_dimension_keeps_the_name_out(scope, owner):
    before = seq_now(scope)
    account = account_create(
        workspace=scope,
        actor=owner,
        name="Quarshie Holdings",
        domain="quarshie.example",
        industry="Retail",
        size="11-50",
        city="Leeds",
        country="United Kingdom",
        street="1 Mill Lane",
    )
    account_update(workspace=scope, actor=owner, account=account, industry="Wholesale")

    keys, table = refreshed("dim_account", ctx_for(scope), window_since(scope, before))

    assert keys == [pseudonym(SECRET, "account", account.pk)]
    row = table.to_pylist()[0]
    assert (row["industry"], row["size"], row["city"]) == ("Wholesale", "11-50", "Leeds")
    assert "Quarshie" not in repr(row) and "Mill" not in repr(row)
