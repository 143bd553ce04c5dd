"""What the order rules (and shipping, which sits between orders and billing) need from
billing, which sits above them (see the layers in pyproject.toml): a customer's credit
exposure and overdue balance, the deposit received on an order and what has been paid on it.

Like ``core.panels``, the lower app names what it needs and the app above supplies it:
billing registers its selectors in its ``AppConfig.ready()``. There is no stand-in — an
installation always has billing, and a missing registration is a configuration error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Receivables:
    exposure: Callable[..., Decimal]
    """``exposure(customer, excluding=order)``: open receivables + approved-but-uninvoiced
    orders, without ``order`` itself."""
    overdue: Callable[[Any], Decimal]
    """``overdue(customer)``: what the customer owes past its due dates today."""
    deposit_received: Callable[[Any], Decimal]
    """``deposit_received(order)``: paid against the order's deposit requests (定金)."""
    paid_on_order: Callable[[Any], OrderPaid]
    """``paid_on_order(order)``: payments allocated to the order (its deposits and invoices)."""


@dataclass(frozen=True)
class OrderPaid:
    amount: Decimal
    receipts: tuple[str, ...]
    """The receipt numbers (收款单号) of the payments, oldest first."""


_registered: list[Receivables] = []


def register(source: Receivables) -> None:
    _registered[:] = [source]


def source() -> Receivables:
    if not _registered:
        raise ImproperlyConfigured(
            "Billing has not registered the receivables (orders.receivables)."
        )
    return _registered[0]
