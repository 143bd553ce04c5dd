import datetime as dt
from decimal import Decimal

import pytest

from orderdesk.core.audit import entries_for
from orderdesk.core.errors import ValidationFailed
from orderdesk.customers.models import CreditFile
from orderdesk.pricing.models import Promotion
from orderdesk.pricing.services import price_lines, update_promotion

from .conftest import DAY

D = Decimal


def quote(customer, *lines, by):
    return price_lines(customer, [(p, q, None, None) for p, q in lines], on=DAY, by=by)


def test_percent_promotion_lowers_the_net_price(
    make_product, make_list, make_promotion, customer, sales1
):
    product = make_product()
    make_list("std", {product: "200"})
    make_promotion("spring", "percent", percent_off=D(10), products=[product])

    line = quote(customer, (product, 2), by=sales1).lines[0]

    assert line.promotions == ["spring"]
    assert (line.list_price, line.net_unit_price, line.gross) == (D(200), D(180), D("360.00"))
    assert line.approval is None  # a promotion is company policy, not the salesperson's discount


def test_amount_off_never_goes_below_zero(
    make_product, make_list, make_promotion, customer, sales1
):
    product = make_product()
    make_list("std", {product: "20"})
    make_promotion("big", "amount_off", amount_off=D(25))

    line = quote(customer, (product, 3), by=sales1).lines[0]

    assert line.net_unit_price == 0
    assert line.gross == 0


def test_non_stackable_best_wins_and_stackable_adds(
    make_product, make_list, make_promotion, customer, sales1
):
    product = make_product()
    make_list("std", {product: "100"})
    make_promotion("ten", "percent", percent_off=D(10))
    make_promotion("eight", "amount_off", amount_off=D(8))
    make_promotion("extra", "amount_off", amount_off=D(2), stackable=True)

    line = quote(customer, (product, 1), by=sales1).lines[0]

    assert sorted(line.promotions) == ["extra", "ten"]
    assert line.net_unit_price == D(88)


def test_quantity_break_promotion_from_its_quantity(
    make_product, make_list, make_promotion, customer, sales1
):
    product = make_product()
    make_list("std", {product: "50"})
    make_promotion("bulk", "quantity_break", min_quantity=D(100), percent_off=D(4))

    small = quote(customer, (product, 99), by=sales1).lines[0]
    large = quote(customer, (product, 100), by=sales1).lines[0]

    assert (small.promotions, small.net_unit_price) == ([], D(50))
    assert (large.promotions, large.net_unit_price) == (["bulk"], D(48))


def test_spend_threshold_reached_spreads_the_discount_over_lines(
    make_product, make_list, make_promotion, customer, sales1
):
    a, b, c = make_product(), make_product(tax_rate=D("0.09")), make_product()
    make_list("std", {a: "333.33", b: "333.33", c: "333.34"})
    make_promotion("mj", "spend_threshold", threshold_amount=D(1000), amount_off=D(100))

    result = quote(customer, (a, 1), (b, 1), (c, 1), by=sales1)

    assert result.order_promotions == ["mj"]
    assert result.order_discount == D(100)
    assert result.gross == D(900)
    assert sum(line.order_discount for line in result.lines) == D(100)
    for line in result.lines:
        assert line.net + line.tax == line.gross
    assert result.net + result.tax == result.gross


def test_spend_threshold_not_reached(make_product, make_list, make_promotion, customer, sales1):
    product = make_product()
    make_list("std", {product: "999.99"})
    make_promotion("mj", "spend_threshold", threshold_amount=D(1000), amount_off=D(100))

    result = quote(customer, (product, 1), by=sales1)

    assert (result.order_promotions, result.gross) == ([], D("999.99"))


def test_best_non_stackable_threshold_wins(
    make_product, make_list, make_promotion, customer, sales1
):
    product = make_product()
    make_list("std", {product: "1000"})
    make_promotion("mj50", "spend_threshold", threshold_amount=D(500), amount_off=D(50))
    make_promotion("mj120", "spend_threshold", threshold_amount=D(1000), amount_off=D(120))
    make_promotion("mj10", "spend_threshold", threshold_amount=D(100), amount_off=D(10),
                   stackable=True)  # fmt: skip

    result = quote(customer, (product, 1), by=sales1)

    assert sorted(result.order_promotions) == ["mj10", "mj120"]
    assert result.gross == D(870)


def test_promotion_targets_customers_grades_and_categories(
    make_product, make_list, make_promotion, customer, sales1, category
):
    from orderdesk.catalog.models import Category

    other_category = Category.objects.create(code="pumps", name="泵")
    valve, pump = make_product(), make_product(category=other_category)
    make_list("std", {valve: "100", pump: "100"})
    make_promotion("valves", "percent", percent_off=D(10), categories=[category])
    make_promotion("grade-a", "percent", percent_off=D(20), grades=["A"])

    before = quote(customer, (valve, 1), (pump, 1), by=sales1)
    CreditFile.objects.filter(customer=customer).update(grade="A")
    customer.refresh_from_db()  # pricing reads the credit file loaded with the customer
    after = quote(customer, (valve, 1), (pump, 1), by=sales1)

    assert [line.promotions for line in before.lines] == [["valves"], []]
    assert [line.promotions for line in after.lines] == [["grade-a"], ["grade-a"]]


def test_expired_promotion_does_not_apply(
    make_product, make_list, make_promotion, customer, sales1
):
    product = make_product()
    make_list("std", {product: "100"})
    make_promotion("old", "percent", percent_off=D(10), valid_until=DAY - dt.timedelta(days=1))

    assert quote(customer, (product, 1), by=sales1).lines[0].promotions == []


def test_promotion_ending_before_it_starts_is_refused(make_promotion):
    with pytest.raises(ValidationFailed) as refused:
        make_promotion("bad", "percent", percent_off=D(5), valid_from=dt.date(2026, 5, 1),
                       valid_until=dt.date(2026, 4, 30))  # fmt: skip

    assert "valid_until" in refused.value.fields
    assert not Promotion.objects.exists()


def test_promotion_needs_the_value_of_its_kind(make_promotion):
    with pytest.raises(ValidationFailed) as refused:
        make_promotion("mj", "spend_threshold", amount_off=D(5))

    assert set(refused.value.fields) == {"threshold_amount"}


def test_promotion_changes_are_audited(make_promotion, pricer, sales1):
    promotion = make_promotion("p", "percent", percent_off=D(5))

    update_promotion(promotion, {"percent_off": D(7)}, by=pricer)

    assert [e.action for e in entries_for(promotion)] == ["update", "create"]
    assert entries_for(promotion)[0].changes["percent_off"] == ["5.00", "7"]
