"""Pure price arithmetic: promotions, discounts, line amounts and order totals.

No ORM and no request: plain ``Decimal`` in, ``Decimal`` out, so hypothesis can check the
rules. Unit prices stay exact (a 7.5 % discount on 10.01 keeps its digits); the only
rounding is half-up to the fen once per line amount, and the VAT is split from that
rounded amount, so ``net + tax == gross`` on every line and order totals are plain sums.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from orderdesk.core.money import FEN, split_tax, to_fen

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Amounts:
    net: Decimal
    tax: Decimal
    gross: Decimal

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(self.net + other.net, self.tax + other.tax, self.gross + other.gross)


NOTHING = Amounts(ZERO, ZERO, ZERO)


@dataclass(frozen=True)
class Offer:
    """One promotion's discount, already in money (per unit or per order)."""

    code: str
    discount: Decimal
    stackable: bool


def combine(offers: Iterable[Offer]) -> tuple[Decimal, list[str]]:
    """Total discount and the codes that gave it: the best single non-stackable offer, plus
    every stackable one (促销不叠加，除非标明可叠加)."""
    offers = [offer for offer in offers if offer.discount > 0]
    best = max(
        (offer for offer in offers if not offer.stackable),
        key=lambda offer: (offer.discount, offer.code),
        default=None,
    )
    chosen = ([best] if best else []) + [offer for offer in offers if offer.stackable]
    return sum((offer.discount for offer in chosen), ZERO), [offer.code for offer in chosen]


def percent_of(price: Decimal, percent: Decimal) -> Decimal:
    return price * percent / HUNDRED


def discounted(price: Decimal, discount: Decimal) -> Decimal:
    """``price`` less ``discount``, never below zero."""
    return max(price - discount, ZERO)


def discount_percent(reference: Decimal, price: Decimal) -> Decimal:
    """How far ``price`` lies below ``reference``, in percent (0 when at or above it)."""
    if reference <= 0 or price >= reference:
        return ZERO
    return (reference - price) * HUNDRED / reference


def line_amounts(
    unit_price: Decimal, quantity: Decimal, tax_rate: Decimal, *, prices_include_tax: bool
) -> Amounts:
    """The line's net, VAT and gross, rounded once to the fen."""
    amount = to_fen(unit_price * quantity)
    if prices_include_tax:
        net, tax = split_tax(amount, tax_rate)
        return Amounts(net, tax, amount)
    tax = to_fen(amount * tax_rate)
    return Amounts(amount, tax, amount + tax)


def with_gross(gross: Decimal, tax_rate: Decimal) -> Amounts:
    net, tax = split_tax(gross, tax_rate)
    return Amounts(net, tax, gross)


def allocate(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Spread ``amount`` (to the fen) over ``weights`` in proportion, exactly.

    Largest remainder: each share is rounded down to the fen, the fens left go to the
    largest remainders (earlier lines first on ties), so the shares sum to ``amount``.
    """
    amount = to_fen(amount)
    total = sum(weights, ZERO)
    if total <= 0 or amount == 0:
        return [ZERO for _ in weights]
    exact = [amount * weight / total for weight in weights]
    shares = [(share // FEN) * FEN for share in exact]
    left = int((amount - sum(shares, ZERO)) / FEN)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += FEN
    return shares


def total(amounts: Iterable[Amounts]) -> Amounts:
    return sum(amounts, NOTHING)
