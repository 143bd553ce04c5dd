"""Receipts, returns and stocktaking adjustments (入库、退货、盘点调整)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.db import models, transaction
from django.utils.translation import gettext as _

from orderdesk.catalog.models import Product
from orderdesk.core import permissions
from orderdesk.core.errors import ValidationFailed

from .. import calculations
from ..models import MovementKind, StockLevel, Warehouse
from .ledger import (
    clean_product,
    clean_quantity,
    clean_reason,
    clean_reference,
    clean_warehouse,
    lock_level,
    post,
    raise_if,
)

MANAGE = "inventory.manage_stock"


def receive_stock(
    product: Any,
    warehouse: Any,
    quantity: Any,
    *,
    by: Any,
    reason: str = "",
    reference: str = "",
    source: models.Model | None = None,
) -> StockLevel:
    """Book goods into a warehouse (入库): on hand rises by ``quantity``.

    Refuses a zero or negative quantity, an unknown or closed warehouse and an inactive
    product; nothing is written then.
    """
    permissions.require(by, MANAGE)
    errors: dict[str, str] = {}
    quantity = clean_quantity(quantity, errors)
    found = clean_product(product, errors)
    place = clean_warehouse(warehouse, errors)
    reference = clean_reference(reference, errors, required=False)
    raise_if(errors)
    found, place = cast(Product, found), cast(Warehouse, place)
    with transaction.atomic():
        level = lock_level(found, place)
        post(
            level,
            MovementKind.RECEIPT,
            quantity,
            by=by,
            reason=(reason or "").strip(),
            reference=reference,
            source=source,
            action="stock_received",
        )
    return level


def return_stock(
    product: Any,
    warehouse: Any,
    quantity: Any,
    *,
    by: Any,
    reason: str,
    reference: str = "",
) -> StockLevel:
    """Take returned goods back into stock (退货入库); the reason is mandatory."""
    permissions.require(by, MANAGE)
    errors: dict[str, str] = {}
    quantity = clean_quantity(quantity, errors)
    found = clean_product(product, errors)
    place = clean_warehouse(warehouse, errors)
    reason = clean_reason(reason, errors)
    reference = clean_reference(reference, errors, required=False)
    raise_if(errors)
    found, place = cast(Product, found), cast(Warehouse, place)
    with transaction.atomic():
        level = lock_level(found, place)
        post(
            level,
            MovementKind.RETURN,
            quantity,
            by=by,
            reason=reason,
            reference=reference,
            action="stock_returned",
        )
    return level


def adjust_stock(
    product: Any,
    warehouse: Any,
    *,
    new_on_hand: Any = None,
    delta: Any = None,
    by: Any,
    reason: str,
) -> StockLevel:
    """Correct on hand after a count (盘点调整), to ``new_on_hand`` or by ``delta``.

    The reason is mandatory. On hand may not drop below what is reserved: release the
    reservations first. Inactive products may be adjusted (to clear them out).
    """
    permissions.require(by, MANAGE)
    errors: dict[str, str] = {}
    found = clean_product(product, errors, active=False)
    place = clean_warehouse(warehouse, errors)
    reason = clean_reason(reason, errors)
    target, change = parse_adjustment(new_on_hand, delta, errors)
    raise_if(errors)
    found, place = cast(Product, found), cast(Warehouse, place)
    with transaction.atomic():
        level = lock_level(found, place)
        change = target - level.on_hand if target is not None else cast(Decimal, change)
        field = "new_on_hand" if target is not None else "delta"
        if change == 0:
            raise ValidationFailed(
                _("On hand is already {quantity}.").format(quantity=level.on_hand),
                code="no_change",
                fields={field: _("Enter a different quantity.")},
            )
        if level.on_hand + change < level.reserved:
            raise ValidationFailed(
                _(
                    "On hand cannot drop below the reserved {reserved}; release reservations first."
                ).format(reserved=level.reserved),
                code="below_reserved",
                fields={field: _("At least {reserved}.").format(reserved=level.reserved)},
            )
        post(
            level,
            MovementKind.ADJUSTMENT,
            abs(change),
            decrease=change < 0,
            by=by,
            reason=reason,
            action="stock_adjusted",
        )
    return level


def parse_adjustment(
    new_on_hand: Any, delta: Any, errors: dict[str, str]
) -> tuple[Decimal | None, Decimal | None]:
    if (new_on_hand is None) == (delta is None):
        errors["new_on_hand"] = _("Give either the counted quantity or the change, not both.")
        return None, None
    if new_on_hand is not None:
        target = calculations.parse_quantity(new_on_hand, allow_zero=True)
        if target is None:
            errors["new_on_hand"] = _("Enter zero or more with at most three decimals.")
        return target, None
    text = str(delta).strip()
    negative = text.startswith("-")
    size = calculations.parse_quantity(text[1:] if negative else text)
    if size is None:
        errors["delta"] = _("Enter a change other than zero with at most three decimals.")
        return None, None
    return None, -size if negative else size
