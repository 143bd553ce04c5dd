"""Pure stock arithmetic: how each ledger kind moves on hand and reserved, and the
quantity format. No ORM here, so the ledger rule is tested without a database."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from .models import MovementKind

ZERO = Decimal(0)
PLACES = 3  # matches the DecimalField(decimal_places=3) of every quantity
MAX_QUANTITY = Decimal("99999999999.999")


def movement_effect(
    kind: str, quantity: Decimal, *, decrease: bool = False
) -> tuple[Decimal, Decimal]:
    """``(change of on hand, change of reserved)`` for one ledger line.

    Receipt and return add to on hand; a reservation holds part of it and a release gives
    it back; an issue ships reserved stock, so both drop; an adjustment moves on hand up,
    or down when ``decrease``.
    """
    if kind in (MovementKind.RECEIPT, MovementKind.RETURN):
        return quantity, ZERO
    if kind == MovementKind.RESERVATION:
        return ZERO, quantity
    if kind == MovementKind.RELEASE:
        return ZERO, -quantity
    if kind == MovementKind.ISSUE:
        return -quantity, -quantity
    if kind == MovementKind.ADJUSTMENT:
        return (-quantity if decrease else quantity), ZERO
    raise ValueError(f"unknown movement kind {kind!r}")


def ledger_totals(lines: Iterable[tuple[str, Decimal, bool]]) -> tuple[Decimal, Decimal]:
    """``(on hand, reserved)`` rebuilt from ``(kind, quantity, decrease)`` lines."""
    on_hand = reserved = ZERO
    for kind, quantity, decrease in lines:
        d_on_hand, d_reserved = movement_effect(kind, quantity, decrease=decrease)
        on_hand += d_on_hand
        reserved += d_reserved
    return on_hand, reserved


def parse_quantity(value: object, *, allow_zero: bool = False) -> Decimal | None:
    """A positive (or, with ``allow_zero``, non-negative) quantity with at most three
    decimals, or ``None`` when it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        quantity = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if (
        not quantity.is_finite()
        or quantity < 0
        or (quantity == 0 and not allow_zero)
        or quantity > MAX_QUANTITY
    ):
        return None
    if quantity.as_tuple().exponent < -PLACES:  # type: ignore[operator]
        return None
    return quantity
