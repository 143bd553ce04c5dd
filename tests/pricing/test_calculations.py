from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from orderdesk.pricing import calculations as calc
from orderdesk.pricing.calculations import Offer

prices = st.decimals(min_value=Decimal(0), max_value=Decimal("99999.99"), places=2)
quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10000), places=3)
percents = st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2)
rates = st.sampled_from([Decimal("0.13"), Decimal("0.09"), Decimal("0.06")])
offers = st.lists(
    st.builds(Offer, st.text(min_size=1, max_size=5), prices, st.booleans()), max_size=6
)


@given(prices, percents, quantities, rates, st.booleans())
def test_every_line_has_net_plus_tax_equal_to_gross(price, percent, quantity, rate, inclusive):
    unit = price - calc.percent_of(price, percent)

    line = calc.line_amounts(unit, quantity, rate, prices_include_tax=inclusive)

    assert line.net + line.tax == line.gross
    assert all(value.as_tuple().exponent == -2 for value in (line.net, line.tax, line.gross))


@given(st.lists(st.tuples(prices, quantities, rates), min_size=1, max_size=30))
def test_order_totals_are_the_sums_of_the_lines(rows):
    lines = [calc.line_amounts(p, q, r, prices_include_tax=True) for p, q, r in rows]

    totals = calc.total(lines)

    assert totals.gross == sum(line.gross for line in lines)
    assert totals.net + totals.tax == totals.gross


def test_line_amount_is_rounded_half_up_once():
    line = calc.line_amounts(Decimal("0.335"), Decimal(1), Decimal("0.13"), prices_include_tax=True)
    assert line.gross == Decimal("0.34")
    # Rounded once at the line: 3 × 3.335 = 10.005 → 10.01 (not 3 × 3.34 = 10.02).
    line = calc.line_amounts(Decimal("3.335"), Decimal(3), Decimal("0.13"), prices_include_tax=True)
    assert line.gross == Decimal("10.01")
    assert (line.net, line.tax) == (Decimal("8.86"), Decimal("1.15"))


def test_tax_exclusive_price_adds_the_tax():
    line = calc.line_amounts(Decimal(100), Decimal(2), Decimal("0.13"), prices_include_tax=False)
    assert (line.net, line.tax, line.gross) == (Decimal(200), Decimal("26.00"), Decimal("226.00"))


@given(prices, offers)
def test_discount_never_makes_a_price_negative(price, chosen):
    discount, _codes = calc.combine(chosen)

    assert calc.discounted(price, discount) >= 0


@given(offers)
def test_best_non_stackable_wins_and_stackable_ones_add(chosen):
    discount, codes = calc.combine(chosen)

    positive = [offer for offer in chosen if offer.discount > 0]
    singles = [offer.discount for offer in positive if not offer.stackable]
    stacked = sum((offer.discount for offer in positive if offer.stackable), Decimal(0))
    assert discount == max(singles, default=Decimal(0)) + stacked
    assert len(codes) == (1 if singles else 0) + sum(1 for o in positive if o.stackable)


def test_two_non_stackable_offers_do_not_add():
    discount, codes = calc.combine([Offer("a", Decimal(5), False), Offer("b", Decimal(8), False)])
    assert (discount, codes) == (Decimal(8), ["b"])


@given(prices, st.lists(prices.filter(lambda p: p > 0), min_size=1, max_size=20))
def test_allocation_sums_exactly_and_never_exceeds_a_weight(amount, weights):
    amount = min(amount, sum(weights))

    shares = calc.allocate(amount, weights)

    assert sum(shares) == amount
    assert all(Decimal(0) <= share <= weight for share, weight in zip(shares, weights, strict=True))


def test_discount_percent_against_reference():
    assert calc.discount_percent(Decimal(100), Decimal(95)) == Decimal(5)
    assert calc.discount_percent(Decimal(100), Decimal(120)) == 0
    assert calc.discount_percent(Decimal(0), Decimal(0)) == 0
