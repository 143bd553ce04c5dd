"""Receipts, adjustments and returns: levels move, the ledger and the audit trail follow."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orderdesk.core.audit import entries_for
from orderdesk.core.errors import NotAllowed, ValidationFailed
from orderdesk.inventory import selectors, services
from orderdesk.inventory.models import MovementKind, StockLevel, StockMovement

D = Decimal


def test_receipt_raises_on_hand_and_writes_one_ledger_line_and_audit(keeper, product, main_wh):
    level = services.receive_stock(
        product, main_wh, "12.5", by=keeper, reason="first delivery", reference="PO 1"
    )

    level.refresh_from_db()
    assert (level.on_hand, level.reserved) == (D("12.5"), D(0))
    movement = StockMovement.objects.get()
    assert (movement.kind, movement.quantity, movement.reference) == ("receipt", D("12.5"), "PO 1")
    assert movement.by == keeper
    entry = entries_for(level).get()
    assert entry.action == "stock_received"
    assert entry.changes["on_hand"] == ["0.000", "12.500"]


@pytest.mark.parametrize("quantity", [0, -1, "abc", "1.2345", None, "NaN"])
def test_bad_quantities_are_refused_and_nothing_written(keeper, product, main_wh, quantity):
    with pytest.raises(ValidationFailed) as refused:
        services.receive_stock(product, main_wh, quantity, by=keeper)

    assert "quantity" in refused.value.fields
    assert not StockLevel.objects.exists()
    assert not StockMovement.objects.exists()


def test_unknown_or_closed_warehouse_is_refused(keeper, product, main_wh):
    main_wh.is_active = False
    main_wh.save()

    for warehouse in ("NOPE", 999_999, main_wh):
        with pytest.raises(ValidationFailed) as refused:
            services.receive_stock(product, warehouse, 1, by=keeper)
        assert "warehouse" in refused.value.fields
    assert not StockMovement.objects.exists()


def test_inactive_product_cannot_be_received(keeper, make_product, main_wh):
    product = make_product(is_active=False)

    with pytest.raises(ValidationFailed) as refused:
        services.receive_stock(product, main_wh, 1, by=keeper)

    assert "product" in refused.value.fields


def test_receipt_needs_manage_stock(seller, product, main_wh):
    with pytest.raises(NotAllowed):
        services.receive_stock(product, main_wh, 1, by=seller)


def test_adjustment_to_counted_quantity_needs_a_reason(keeper, product, main_wh):
    services.receive_stock(product, main_wh, 10, by=keeper)

    with pytest.raises(ValidationFailed) as refused:
        services.adjust_stock(product, main_wh, new_on_hand=8, by=keeper, reason=" ")
    assert "reason" in refused.value.fields

    level = services.adjust_stock(product, main_wh, new_on_hand=8, by=keeper, reason="count")
    assert level.on_hand == D(8)
    adjustment = StockMovement.objects.get(kind=MovementKind.ADJUSTMENT)
    assert (adjustment.quantity, adjustment.decrease, adjustment.reason) == (D(2), True, "count")
    assert selectors.ledger_totals(product, main_wh) == (D(8), D(0))


def test_adjustment_by_delta_up_and_to_zero(keeper, product, main_wh):
    services.adjust_stock(product, main_wh, delta="3.5", by=keeper, reason="found")
    level = services.adjust_stock(product, main_wh, new_on_hand="0", by=keeper, reason="lost")

    assert level.on_hand == D(0)
    assert selectors.ledger_totals(product, main_wh) == (D(0), D(0))


def test_adjustment_cannot_drop_below_reserved(keeper, product, main_wh):
    services.receive_stock(product, main_wh, 10, by=keeper)
    services.reserve(product, 6, reference="orders.OrderLine:1", by=keeper)

    with pytest.raises(ValidationFailed) as refused:
        services.adjust_stock(product, main_wh, delta="-5", by=keeper, reason="broken")

    assert refused.value.code == "below_reserved"
    assert "delta" in refused.value.fields
    assert StockLevel.objects.get().on_hand == D(10)


def test_adjustment_needs_exactly_one_of_target_and_delta(keeper, product, main_wh):
    with pytest.raises(ValidationFailed):
        services.adjust_stock(product, main_wh, by=keeper, reason="x")
    with pytest.raises(ValidationFailed):
        services.adjust_stock(product, main_wh, new_on_hand=1, delta=1, by=keeper, reason="x")
    with pytest.raises(ValidationFailed) as refused:
        services.adjust_stock(product, main_wh, delta="0", by=keeper, reason="x")
    assert "delta" in refused.value.fields


def test_return_adds_to_on_hand_with_reason(keeper, product, main_wh):
    with pytest.raises(ValidationFailed):
        services.return_stock(product, main_wh, 2, by=keeper, reason="")

    level = services.return_stock(product, main_wh, 2, by=keeper, reason="wrong colour")

    assert level.on_hand == D(2)
    assert StockMovement.objects.get().kind == MovementKind.RETURN


def test_movements_are_append_only(keeper, product, main_wh):
    services.receive_stock(product, main_wh, 1, by=keeper)
    movement = StockMovement.objects.get()

    with pytest.raises(PermissionError):
        movement.save()
    with pytest.raises(PermissionError):
        movement.delete()
    with pytest.raises(PermissionError):
        StockMovement.objects.update(quantity=5)
    with pytest.raises(PermissionError):
        StockMovement.objects.all().delete()


def test_low_stock_lists_levels_at_or_below_threshold(keeper, make_product, main_wh):
    scarce, plenty = make_product(), make_product()
    services.receive_stock(scarce, main_wh, 2, by=keeper)
    services.receive_stock(plenty, main_wh, 50, by=keeper)

    assert [level.product for level in selectors.low_stock(5)] == [scarce]
