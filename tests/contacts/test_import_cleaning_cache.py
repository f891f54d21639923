"""The import's per-import caches: a phone cell is parsed once per distinct text (bounded),
and the erased-address check computes no address keys in a workspace without erasures."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.imports import mapping
from contacts.imports.mapping import RowCleaner
from contacts.services.privacy import erased_addresses_block, erased_addresses_record


def test_a_repeated_phone_cell_gives_the_same_number_each_time(scope):
    cleaner = RowCleaner(workspace=scope, entity="contact", mapping={"0": "phone"})
    first = cleaner.clean(["030 1234567 x 12"])
    again = cleaner.clean(["030 1234567 x 12"])
    assert first == again == ({"phone": "+49301234567", "phone_extension": "12"}, [])
    assert list(cleaner._phones) == ["030 1234567 x 12"]


def test_a_repeated_bad_phone_cell_is_refused_each_time(scope):
    cleaner = RowCleaner(workspace=scope, entity="contact", mapping={"0": "phone", "1": "email"})
    problem = ["“1-800-FLOWERS” is not a valid number in Germany — add the country code."]
    for _ in range(3):
        assert cleaner.clean(["1-800-FLOWERS", "a@example.org"]) == (
            {"email": "a@example.org", "email_key": "a@example.org"},
            problem,
        )


def test_a_mobile_with_an_extension_is_refused_after_the_same_cell_was_a_phone(scope):
    """The cache keeps the reading, not the verdict: the field's own rule still applies."""
    cleaner = RowCleaner(workspace=scope, entity="contact", mapping={"0": "phone", "1": "mobile"})
    values, problems = cleaner.clean(["0170 1234567 x 5", "0170 1234567 x 5"])
    assert values == {"phone": "+491701234567", "phone_extension": "5"}
    assert problems == ["“0170 1234567 x 5” has an extension; a mobile number takes none."]


def test_the_phone_cache_is_bounded(scope, monkeypatch):
    monkeypatch.setattr(mapping, "PHONE_CACHE_SIZE", 3)
    cleaner = RowCleaner(workspace=scope, entity="contact", mapping={"0": "mobile"})
    for i in range(10):
        assert cleaner.clean([f"0171 {i:07d}"]) == ({"mobile": f"+49171{i:07d}"}, [])
        assert len(cleaner._phones) <= 3


@pytest.mark.django_db
def test_no_erased_address_costs_one_query_and_blocks_nothing(scope):
    rows = [{"email": f"p{i}@example.org", "email_opt_in": True} for i in range(5)]
    with CaptureQueriesContext(connection) as queries:
        assert erased_addresses_block(workspace=scope, contacts=rows) == 0
    assert len(queries) == 1
    assert all(row["email_opt_in"] is True for row in rows)


@pytest.mark.django_db
def test_rows_without_an_address_cost_no_query(scope):
    erased_addresses_record(workspace=scope, keys=["gone@example.org"])
    with CaptureQueriesContext(connection) as queries:
        assert erased_addresses_block(workspace=scope, contacts=[{"first_name": "Ann"}]) == 0
    assert len(queries) == 0


@pytest.mark.django_db
def test_an_erased_address_among_others_is_blocked(scope):
    erased_addresses_record(workspace=scope, keys=["gone@example.org"])
    rows = [
        {"email": "kept@example.org", "email_opt_in": True},
        {"email": "Gone@Example.org", "email_opt_in": True},
    ]
    assert erased_addresses_block(workspace=scope, contacts=rows) == 1
    assert rows[0]["email_opt_in"] is True
    assert rows[1]["email_opt_in"] is False and rows[1]["do_not_mail"] is True
