"""Won deals as conversions of touch points (contacts.conversions, registered by sales): the
marketing report reads them through the registry without importing sales."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import DateTimeField, F, Value

from contacts.conversions import conversion_sources, conversions_after
from contacts.models import Contact
from sales.models import Deal, StageKind
from tests.contacts.factories import ContactFactory
from tests.factories import WorkspaceFactory
from tests.sales.factories import deal_make, pipeline_for, stage_of
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]

TOUCHED = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def _won(workspace, contact, *, days_after, amount="100", currency="EUR"):
    deal = deal_make(workspace, contact=contact, amount=Decimal(amount), currency=currency)
    won_at = TOUCHED + datetime.timedelta(days=days_after)
    Deal.objects.filter(pk=deal.pk).update(
        stage=stage_of(pipeline_for(workspace), StageKind.WON), won_at=won_at, closed_at=won_at
    )
    return deal


def _touches(contacts):
    """Every contact touched once at TOUCHED (any QuerySet with contact_id and touched_at)."""
    return Contact.objects.filter(pk__in=[c.pk for c in contacts]).annotate(
        contact_id=F("id"), touched_at=Value(TOUCHED, output_field=DateTimeField())
    )


def _sales(workspace, touches, days):
    found = {
        s.key: c for s, c in conversions_after(workspace=workspace, touches=touches, days=days)
    }
    return found["sales_won_deals"]


def test_sales_registers_won_deals_as_a_conversion_source():
    assert "sales_won_deals" in [s.key for s in conversion_sources()]


def test_won_deals_within_the_window_after_a_touch_count(workspace):
    anna, ben, cleo = ContactFactory.create_batch(3, workspace=workspace)
    _won(workspace, anna, days_after=3, amount="250.50")
    _won(workspace, anna, days_after=29, amount="100")
    _won(workspace, ben, days_after=31)  # outside 30 days
    _won(workspace, ben, days_after=-1)  # before the touch
    _won(workspace, cleo, days_after=5, amount="70", currency="USD")
    result = _sales(workspace, _touches([anna, ben, cleo]), 30)
    assert result.count == 3
    assert result.contacts == 2
    assert result.amounts == {"EUR": Decimal("350.50"), "USD": Decimal("70.00")}
    # a wider window takes the deal won on day 31; the one before the touch never counts
    assert _sales(workspace, _touches([anna, ben, cleo]), 31).count == 4


def test_contacts_not_touched_and_open_deals_do_not_count(workspace):
    anna, ben = ContactFactory.create_batch(2, workspace=workspace)
    _won(workspace, ben, days_after=1)
    deal_make(workspace, contact=anna)  # open
    assert _sales(workspace, _touches([anna]), 30).count == 0


def test_other_workspaces_deals_are_not_counted(workspace):
    anna = ContactFactory(workspace=workspace)
    other = WorkspaceFactory()
    with workspace_scope(other):
        stranger = ContactFactory(workspace=other)
        _won(other, stranger, days_after=1)
    assert _sales(workspace, _touches([anna]), 30).count == 0


def test_negative_days_are_refused(workspace):
    with pytest.raises(ValueError):
        conversions_after(workspace=workspace, touches=_touches([]), days=-1)
