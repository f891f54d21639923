"""Exchange rates: managers keep a dated rate per currency (Pipeline → Settings → Exchange
rates); reps and read-only members cannot change them; the rate valid on a day is used."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from sales.models import ExchangeRate
from sales.selectors.exchange_rates import exchange_rates_on
from sales.services.exchange_rates import exchange_rate_delete, exchange_rate_set
from tests.sales.factories import ExchangeRateFactory
from workspaces.roles import Role
from workspaces.urlnames import workspace_reverse

pytestmark = pytest.mark.django_db
D = Decimal
NOV_1 = datetime.date(2026, 11, 1)


def _url(workspace, name="sales:exchange_rates", **kwargs):
    return workspace_reverse(workspace, name, **kwargs)


@pytest.mark.in_scope
def test_the_latest_rate_on_or_before_the_day_applies(workspace):
    for day, rate in ((NOV_1, "0.92"), (datetime.date(2026, 11, 15), "0.95")):
        exchange_rate_set(
            workspace=workspace, actor=None, currency="USD", rate=D(rate), valid_from=day
        )
    exchange_rate_set(
        workspace=workspace, actor=None, currency="JPY", rate=D("0.0062"), valid_from=NOV_1
    )
    assert exchange_rates_on(workspace=workspace, day=datetime.date(2026, 10, 31)).rates == {}
    on_10th = exchange_rates_on(workspace=workspace, day=datetime.date(2026, 11, 10))
    assert {c: (r.rate, r.valid_from) for c, r in on_10th.rates.items()} == {
        "USD": (D("0.92"), NOV_1),
        "JPY": (D("0.0062"), NOV_1),
    }
    on_15th = exchange_rates_on(workspace=workspace, day=datetime.date(2026, 11, 15))
    assert on_15th.rates["USD"].rate == D("0.95") and on_15th.target == "EUR"


@pytest.mark.in_scope
def test_a_rate_of_the_same_day_is_replaced(workspace):
    first = exchange_rate_set(
        workspace=workspace, actor=None, currency="USD", rate=D("0.9"), valid_from=NOV_1
    )
    second = exchange_rate_set(
        workspace=workspace, actor=None, currency="USD", rate=D("0.91"), valid_from=NOV_1
    )
    assert first.pk == second.pk and ExchangeRate.objects.get().rate == D("0.91")


@pytest.mark.in_scope
@pytest.mark.parametrize(
    ("currency", "rate", "field"),
    [
        ("EUR", "1", "currency"),
        ("USD", "0", "rate"),
        ("USD", "-1", "rate"),
        ("USD", "0.00000000001", "rate"),
    ],
)
def test_impossible_rates_are_refused_at_their_field(workspace, currency, rate, field):
    with pytest.raises(ValidationError) as caught:
        exchange_rate_set(
            workspace=workspace, actor=None, currency=currency, rate=D(rate), valid_from=NOV_1
        )
    assert field in caught.value.message_dict
    assert not ExchangeRate.objects.exists()


@pytest.mark.in_scope
def test_removing_a_rate_brings_back_the_one_before(workspace):
    exchange_rate_set(
        workspace=workspace, actor=None, currency="USD", rate=D("0.9"), valid_from=NOV_1
    )
    later = exchange_rate_set(
        workspace=workspace,
        actor=None,
        currency="USD",
        rate=D("0.95"),
        valid_from=NOV_1 + datetime.timedelta(days=5),
    )
    exchange_rate_delete(workspace=workspace, actor=None, rate=later)
    day = NOV_1 + datetime.timedelta(days=10)
    assert exchange_rates_on(workspace=workspace, day=day).rates["USD"].rate == D("0.9")


def test_a_manager_sets_a_rate_on_the_page(client_for, workspace):
    client = client_for(Role.MANAGER)
    page = client.get(_url(workspace))
    assert page.status_code == 200
    # the workspace currency is not offered
    assert [c for c, _label in page.context["form"].fields["currency"].choices if c] == [
        "USD",
        "GBP",
        "CHF",
        "JPY",
        "CAD",
        "AUD",
        "SEK",
        "PLN",
    ]
    response = client.post(
        _url(workspace),
        {"currency": "JPY", "rate": "0.0062", "valid_from": "2026-11-01"},
        follow=True,
    )
    rate = ExchangeRate.all_workspaces.get(workspace=workspace)
    assert (rate.currency, rate.rate, rate.valid_from) == ("JPY", D("0.0062"), NOV_1)
    html = response.content.decode()
    assert "Rate saved: 1 JPY = 0.0062 EUR (from Nov. 1, 2026)" in html
    assert 'data-testid="rate-table"' in html and "0.0062" in html


@pytest.mark.parametrize("value", ["NaN", "1e309", "Infinity", "0", "-0", "1e-400"])
def test_a_rate_that_is_no_rate_gets_a_message(client_for, workspace, value):
    client = client_for(Role.MANAGER)
    response = client.post(
        _url(workspace), {"currency": "USD", "rate": value, "valid_from": "2026-11-01"}
    )
    assert response.status_code == 422
    assert response.context["form"].errors["rate"]
    assert not ExchangeRate.all_workspaces.exists()


def test_a_manager_removes_a_rate(client_for, workspace):
    rate = ExchangeRateFactory(workspace=workspace)
    client = client_for(Role.MANAGER)
    assert client.get(_url(workspace, "sales:exchange_rate_delete", pk=rate.pk)).status_code == 405
    client.post(_url(workspace, "sales:exchange_rate_delete", pk=rate.pk))
    assert not ExchangeRate.all_workspaces.exists()


@pytest.mark.parametrize("role", [Role.SALES, Role.READONLY, Role.MARKETING])
def test_only_managers_keep_the_rates(client_for, workspace, role):
    rate = ExchangeRateFactory(workspace=workspace)
    client = client_for(role)
    assert client.get(_url(workspace)).status_code == 403
    post = client.post(
        _url(workspace), {"currency": "JPY", "rate": "0.0062", "valid_from": "2026-11-01"}
    )
    assert post.status_code in (403, 405)
    assert client.post(_url(workspace, "sales:exchange_rate_delete", pk=rate.pk)).status_code in (
        403,
        405,
    )
    assert ExchangeRate.all_workspaces.count() == 1


def test_the_sales_settings_link_to_the_rates(owner_client, workspace):
    html = owner_client.get(_url(workspace, "sales:settings")).content.decode()
    assert _url(workspace) in html
