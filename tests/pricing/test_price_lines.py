import datetime as dt
from decimal import Decimal

import pytest

from orderdesk.core.errors import ValidationFailed
from orderdesk.customers.models import CreditFile
from orderdesk.pricing.services import price_lines
from tests.factories.customers import make_customer

from .conftest import DAY

D = Decimal


def quote_one(customer, product, qty=1, price=None, percent=None, *, by, on=DAY):
    return price_lines(customer, [(product, qty, price, percent)], on=on, by=by)


def test_customer_list_beats_grade_list_beats_standard(make_product, make_list, customer, sales1):
    a, b, c = make_product(), make_product(), make_product()
    CreditFile.objects.filter(customer=customer).update(grade="A")
    customer.refresh_from_db()  # pricing reads the credit file loaded with the customer
    make_list("std", {a: "100", b: "100", c: "100"})
    make_list("grade-a", {a: "90", b: "90"}, kind="grade", grade="A")
    make_list("grade-b", {a: "80", b: "80", c: "80"}, kind="grade", grade="B")
    make_list("cust", {a: "85"}, kind="customer", customer=customer)

    quote = price_lines(customer, [(a, 1, None, None), (b, 1, None, None), (c, 1, None, None)],
                        on=DAY, by=sales1)  # fmt: skip

    assert [(line.price_list, line.list_price) for line in quote.lines] == [
        ("cust", D(85)),
        ("grade-a", D(90)),
        ("std", D(100)),
    ]


def test_only_lists_valid_on_the_day_price(make_product, make_list, customer, sales1):
    product = make_product()
    make_list("std-h1", {product: "100"}, valid_until=dt.date(2026, 6, 30))
    make_list("std-h2", {product: "110"}, valid_from=dt.date(2026, 7, 1))

    assert quote_one(customer, product, by=sales1).lines[0].list_price == D(100)
    assert quote_one(customer, product, by=sales1, on=dt.date(2026, 7, 1)).lines[0].list_price == D(
        110
    )


def test_inactive_list_is_ignored(make_product, make_list, customer, sales1):
    product = make_product()
    make_list("std", {product: "100"})
    make_list("cust", {product: "50"}, kind="customer", customer=customer, active=False)

    assert quote_one(customer, product, by=sales1).lines[0].list_price == D(100)


def test_best_quantity_break_applies(make_product, make_list, customer, sales1, pricer):
    from orderdesk.pricing.services import set_price

    product = make_product()
    std = make_list("std", {product: "100"})
    set_price(std, product, {"min_quantity": 10, "unit_price": D(95)}, by=pricer)
    set_price(std, product, {"min_quantity": 100, "unit_price": D(90)}, by=pricer)

    prices = [quote_one(customer, product, q, by=sales1).lines[0].list_price for q in (9, 10, 250)]

    assert prices == [D(100), D(95), D(90)]


def test_line_totals_and_tax_add_up(make_product, make_list, customer, sales1):
    a, b = make_product(), make_product(tax_rate=D("0.06"))
    make_list("std", {a: "3.34", b: "10.01"})

    quote = price_lines(
        customer, [(a, 3, D("3.335"), None), (b, 7, None, D("7.5"))], on=DAY, by=sales1
    )

    assert quote.lines[0].gross == D("10.01")  # 3 × 3.335 = 10.005, rounded once
    assert quote.lines[1].gross == D("64.81")  # 10.01 × 0.925 × 7 = 64.81475, rounded once
    for line in quote.lines:
        assert line.net + line.tax == line.gross
    assert quote.gross == sum(line.gross for line in quote.lines)
    assert quote.net + quote.tax == quote.gross


@pytest.mark.parametrize(
    ("percent", "needed"),
    [
        (D(5), None),
        (D("5.01"), "sales_manager"),
        (D(15), "sales_manager"),
        (D(16), "general_manager"),
    ],
)
def test_sales_discount_routes_to_the_role_that_may_grant_it(
    make_product, make_list, customer, sales1, percent, needed
):
    product = make_product()
    make_list("std", {product: "100"})

    approval = quote_one(customer, product, percent=percent, by=sales1).lines[0].approval

    assert (approval or {}).get("needed_role") == needed
    if needed:
        assert approval["reason"] == "discount_over_authority"


def test_sales_manager_grants_15_percent_and_gm_anything(
    make_product, make_list, customer, sales_manager1, gm1
):
    product = make_product()
    make_list("std", {product: "100"})

    assert quote_one(customer, product, percent=D(15), by=sales_manager1).lines[0].approval is None
    assert quote_one(customer, product, percent=D(16), by=sales_manager1).approval == {
        "needed_role": "general_manager",
        "reason": "discount_over_authority",
    }
    assert quote_one(customer, product, percent=D(40), by=gm1).lines[0].approval is None


def test_requested_price_is_compared_as_a_discount(make_product, make_list, customer, sales1):
    product = make_product()
    make_list("std", {product: "200"})

    line = quote_one(customer, product, 2, price=D(180), by=sales1).lines[0]

    assert line.discount_percent == D(10)
    assert line.net_unit_price == D(180)
    assert line.gross == D("360.00")
    assert line.approval == {"needed_role": "sales_manager", "reason": "discount_over_authority"}


def test_price_below_floor_always_needs_the_general_manager(
    make_product, make_list, customer, sales1, gm1
):
    product = make_product()
    make_list("std", {product: {"unit_price": D(100), "floor_price": D(98)}})
    make_list("cust", {product: "99"}, kind="customer", customer=customer)

    within_authority = quote_one(customer, product, price=D(97), by=sales1).lines[0]
    by_gm = quote_one(customer, product, price=D(97), by=gm1).lines[0]

    # 97 is only 2 % off the customer's 99, but the standard list's floor is 98.
    assert within_authority.approval == {"needed_role": "general_manager", "reason": "below_floor"}
    assert by_gm.approval == {"needed_role": "general_manager", "reason": "below_floor"}
    assert quote_one(customer, product, price=D(98), by=sales1).lines[0].approval is None


def test_bad_lines_are_named_and_nothing_is_written(make_product, make_list, customer, sales1):
    from orderdesk.core.models import AuditEntry

    good, unpriced = make_product(), make_product()
    inactive = make_product(is_active=False)
    prohibited = make_product(sales_kind="prohibited")
    make_list("std", {good: "10"})
    entries = AuditEntry.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        price_lines(customer, [
            (good, 1, None, None), (good, 0, None, None), (good, D(-2), None, None),
            (inactive, 1, None, None), (prohibited, 1, None, None), (unpriced, 1, None, None),
            (good, 1, D(-1), None), (good, 1, None, D(101)), ("no-such-sku", 1, None, None),
        ], on=DAY, by=sales1)  # fmt: skip

    assert set(refused.value.fields) == {
        "lines.1.quantity",
        "lines.2.quantity",
        "lines.3.product",
        "lines.4.product",
        "lines.5.product",
        "lines.6.requested_unit_price",
        "lines.7.requested_discount_percent",
        "lines.8.product",
    }
    assert refused.value.status == 422
    assert AuditEntry.objects.count() == entries


def test_no_price_after_the_list_ends(make_product, make_list, customer, sales1):
    product = make_product()
    make_list("std", {product: "10"}, valid_until=DAY - dt.timedelta(days=1))

    with pytest.raises(ValidationFailed) as refused:
        quote_one(customer, product, by=sales1)

    assert list(refused.value.fields) == ["lines.0.product"]


def test_another_customers_list_does_not_apply(make_product, make_list, customer, sales1):
    product = make_product()
    other = make_customer(sales1)
    make_list("std", {product: "10"})
    make_list("other", {product: "5"}, kind="customer", customer=other)

    assert quote_one(customer, product, by=sales1).lines[0].list_price == D(10)
