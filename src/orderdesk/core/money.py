"""Money in yuan: ``Decimal`` rounded half-up to the fen (0.01), VAT split and display.

Every amount that is stored or shown passes :func:`to_fen` exactly once, at the line
(STYLE §8); totals are sums of already-rounded lines, so they add up exactly.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
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


DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("", "拾", "佰", "仟")
SECTIONS = ("", "万", "亿", "万亿")


def capital(value: Any) -> str:
    """The amount in Chinese capital numerals (人民币大写) as written on contracts, order
    confirmations and invoices: ``1234567.80`` → 壹佰贰拾叁万肆仟伍佰陆拾柒元捌角,
    ``100.05`` → 壹佰元零伍分, ``1010`` → 壹仟零壹拾元整 (rules of 《支付结算办法》)."""
    amount = to_fen(value)
    if amount < 0:
        return "负" + capital(-amount)
    fen_total = int(amount * 100)
    whole, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    if whole >= 10**16:
        raise ValueError("amount too large for capital numerals")
    text = whole_capital(whole) + "元" if whole else ""
    if jiao == 0 and fen == 0:
        return (text or "零元") + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif text:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    return text


def whole_capital(number: int) -> str:
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    text, gap = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            gap = gap or bool(text)
            continue
        if text and (gap or group < 1000):
            text += "零"
        text += group_capital(group) + SECTIONS[index]
        gap = False
    return text


def group_capital(group: int) -> str:
    """One four-digit group: inner zeros read once (1001 → 壹仟零壹), trailing ones not."""
    text, zero, started = "", False, False
    for place in (3, 2, 1, 0):
        digit = group // 10**place % 10
        if digit == 0:
            zero = started
            continue
        if zero:
            text += "零"
            zero = False
        text += DIGITS[digit] + PLACES[place]
        started = True
    return text


def as_decimal(value: Any) -> Decimal | None:
    """A finite ``Decimal`` from user input ("12.5", 12.5, " 3 "), or ``None`` when it is not
    a number; callers decide what range and precision they accept."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None
