"""Money in yuan: ``Decimal`` rounded half-up to the fen (0.01), VAT split and display.

Every amount that is stored or shown passes :func:`to_fen` exactly once, at the line
(STYLE §8); totals are sums of already-rounded lines, so they add up exactly.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

FEN = Decimal("0.01")


def to_fen(value: Any) -> Decimal:
    """``value`` rounded half-up to the fen (0.005 → 0.01, -0.005 → -0.01)."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def split_tax(gross: Any, rate: Any) -> tuple[Decimal, Decimal]:
    """Split a tax-inclusive amount into ``(net, tax)`` with ``net + tax == gross`` exactly.

    The tax is rounded half-up to the fen; the net is what remains, so no fen is lost or
    invented (价税分离).
    """
    gross = to_fen(gross)
    rate = Decimal(rate)
    tax = to_fen(gross * rate / (1 + rate))
    return gross - tax, tax


def yuan(value: Any) -> str:
    """``value`` for display: ``¥1,234,567.80``, negative amounts as ``-¥12.30``."""
    amount = to_fen(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"
