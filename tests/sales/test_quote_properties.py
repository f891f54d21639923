"""Property tests of quote arithmetic (`sales.services.quotes.line_net`, `quote_totals`): money in
cents, rounded half-up once per line and once per tax rate, whatever the lines."""

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings, strategies as st

from sales.services.quotes import CENT, line_net, quote_totals

PROPERTY = settings(deadline=None, database=None, derandomize=True, max_examples=300)

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("100000"), places=3)
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("1000000"), places=2)
discounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2)
rates = st.sampled_from([Decimal("0"), Decimal("7"), Decimal("19"), Decimal("20"), Decimal("7.7")])

line = st.fixed_dictionaries(
    {"quantity": quantities, "unit_price": prices, "discount_percent": discounts, "tax_rate": rates}
)


def _cents(value: Decimal) -> bool:
    return value == value.quantize(CENT) and value.as_tuple().exponent == -2


@PROPERTY
@given(quantities, prices, discounts)
def test_a_line_net_is_in_cents_within_half_a_cent_of_the_exact_amount(quantity, price, discount):
    net = line_net(quantity=quantity, unit_price=price, discount_percent=discount)
    exact = quantity * price * (100 - discount) / 100
    assert _cents(net)
    assert abs(net - exact) <= Decimal("0.005")
    assert Decimal("0") <= net <= line_net(quantity=quantity, unit_price=price)


@PROPERTY
@given(quantities, prices)
def test_a_full_discount_is_free_and_no_discount_is_the_rounded_product(quantity, price):
    assert line_net(quantity=quantity, unit_price=price, discount_percent=100) == Decimal("0.00")
    half_up = (quantity * price).quantize(CENT, rounding=ROUND_HALF_UP)  # 0.025 -> 0.03
    assert line_net(quantity=quantity, unit_price=price) == half_up


@PROPERTY
@given(st.lists(line, max_size=12))
def test_totals_add_up(lines):
    totals = quote_totals(lines)
    nets = [
        line_net(
            quantity=x["quantity"],
            unit_price=x["unit_price"],
            discount_percent=x["discount_percent"],
        )
        for x in lines
    ]
    assert all(_cents(v) for v in (totals.net, totals.tax, totals.gross))
    assert totals.net == sum(nets, Decimal("0.00"))
    assert totals.gross == totals.net + totals.tax
    assert totals.tax == sum((t.tax for t in totals.taxes), Decimal("0.00"))
    assert sum((t.base for t in totals.taxes), Decimal("0.00")) == totals.net


@PROPERTY
@given(st.lists(line, max_size=12))
def test_tax_is_rounded_once_per_rate_on_the_sum_of_its_nets(lines):
    totals = quote_totals(lines)
    assert [t.rate for t in totals.taxes] == sorted(
        {Decimal(x["tax_rate"]).normalize() for x in lines}
    )
    for tax_line in totals.taxes:
        assert _cents(tax_line.tax)
        assert abs(tax_line.tax - tax_line.base * tax_line.rate / 100) <= Decimal("0.005")


@PROPERTY
@given(st.lists(line, max_size=12), st.randoms(use_true_random=False))
def test_the_order_of_lines_does_not_change_the_totals(lines, random):
    shuffled = list(lines)
    random.shuffle(shuffled)
    assert quote_totals(shuffled) == quote_totals(lines)


@PROPERTY
@given(st.lists(line, max_size=12))
def test_stored_nets_give_the_same_totals_as_the_lines_they_came_from(lines):
    """The quote stores each line's net; totals from the stored nets match totals computed
    from quantity, price and discount (dicts and objects alike)."""

    class StoredLine:
        def __init__(self, net_amount, tax_rate):
            self.net_amount, self.tax_rate = net_amount, tax_rate

    stored = [
        StoredLine(
            line_net(
                quantity=x["quantity"],
                unit_price=x["unit_price"],
                discount_percent=x["discount_percent"],
            ),
            x["tax_rate"],
        )
        for x in lines
    ]
    assert quote_totals(stored) == quote_totals(lines)
