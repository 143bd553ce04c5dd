import datetime as dt
from decimal import Decimal

import pytest

from orderdesk.core.audit import entries_for
from orderdesk.core.errors import NotAllowed, ValidationFailed
from orderdesk.pricing.models import PriceList, PriceListItem
from orderdesk.pricing.services import create_price_list, set_price, update_price_list

D = Decimal


def test_overlapping_standard_lists_are_refused(make_list):
    make_list("std-2026", valid_until=dt.date(2026, 12, 31))

    with pytest.raises(ValidationFailed) as refused:
        make_list("std-h2", valid_from=dt.date(2026, 7, 1))

    assert refused.value.code == "price_list_overlap"
    assert "std-2026" in refused.value.message
    assert list(PriceList.objects.values_list("code", flat=True)) == ["std-2026"]


def test_lists_of_different_scopes_may_overlap(make_list, customer):
    make_list("std")
    make_list("grade-a", kind="grade", grade="A")
    make_list("grade-b", kind="grade", grade="B")
    make_list("cust", kind="customer", customer=customer)

    with pytest.raises(ValidationFailed):
        make_list("grade-a2", kind="grade", grade="A", valid_from=dt.date(2027, 1, 1))
    assert PriceList.objects.count() == 4


def test_adjacent_lists_do_not_overlap_and_extending_one_is_refused(make_list):
    first = make_list("h1", valid_until=dt.date(2026, 6, 30))
    make_list("h2", valid_from=dt.date(2026, 7, 1))

    with pytest.raises(ValidationFailed):
        update_price_list(first, {"valid_until": dt.date(2026, 7, 1)}, by=first_pricer(first))

    assert PriceList.objects.get(code="h1").valid_until == dt.date(2026, 6, 30)


def first_pricer(price_list):
    return entries_for(price_list).first().actor


def test_scope_fields_must_match_the_kind(pricer):
    with pytest.raises(ValidationFailed) as refused:
        create_price_list({"code": "g", "name": "g", "kind": "grade",
                           "valid_from": dt.date(2026, 1, 1)}, by=pricer)  # fmt: skip

    assert set(refused.value.fields) == {"grade"}


def test_list_ending_before_it_starts_is_refused(make_list):
    with pytest.raises(ValidationFailed) as refused:
        make_list("x", valid_from=dt.date(2026, 5, 1), valid_until=dt.date(2026, 4, 1))

    assert "valid_until" in refused.value.fields


def test_sales_may_not_manage_prices(sales1):
    with pytest.raises(NotAllowed):
        create_price_list({"code": "s", "name": "s", "valid_from": dt.date(2026, 1, 1)}, by=sales1)


def test_prices_are_audited_on_their_list(make_list, make_product, pricer):
    product = make_product()
    price_list = make_list("std", {product: "100"})

    set_price(price_list, product, {"unit_price": D(105), "floor_price": D(90)}, by=pricer)

    item = PriceListItem.objects.get()
    assert (item.unit_price, item.floor_price) == (D(105), D(90))
    assert [e.action for e in entries_for(price_list)] == ["set_price", "set_price", "create"]
    assert entries_for(price_list)[0].changes["unit_price"] == ["100.00", "105"]


def test_floor_above_price_and_bad_quantity_are_refused(make_list, make_product, pricer):
    product = make_product()
    price_list = make_list("std")

    with pytest.raises(ValidationFailed) as refused:
        set_price(price_list, product, {"unit_price": D(10), "floor_price": D(11)}, by=pricer)
    assert set(refused.value.fields) == {"floor_price"}
    with pytest.raises(ValidationFailed):
        set_price(price_list, product, {"unit_price": D(-1)}, by=pricer)
    with pytest.raises(ValidationFailed):
        set_price(price_list, product, {"unit_price": D(1), "min_quantity": D(0)}, by=pricer)
    assert not PriceListItem.objects.exists()


def test_discount_authority_is_seeded(db):
    from orderdesk.pricing.selectors import authorities

    assert authorities() == {"sales": D(5), "sales_manager": D(15), "general_manager": D(100)}
