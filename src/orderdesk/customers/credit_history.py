"""Where the grade evaluation gets a customer's history from, without importing the apps
that hold it.

Orders and invoices live in higher apps (``orders``, ``billing``) that ``customers`` may not
import (STYLE §3). Each of them registers a *history provider* once, in its
``AppConfig.ready()``::

    from orderdesk.customers.credit_history import CreditHistory, register_history_provider

    def invoice_history(customer):
        return CreditHistory(paid_on_time=..., paid_late=...)

    register_history_provider(invoice_history)

:func:`history_for` adds up what every provider reports. With none registered it returns
zeros: until billing exists the evaluation runs on whatever history is present (issue 3), and
tests register fixtures through :func:`history_provider`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Customer


@dataclass(frozen=True)
class CreditHistory:
    """What a customer did: invoices paid on time or late, orders placed and their amount."""

    paid_on_time: int = 0
    paid_late: int = 0
    order_count: int = 0
    order_amount: Decimal = Decimal(0)

    def __add__(self, other: CreditHistory) -> CreditHistory:
        return CreditHistory(
            paid_on_time=self.paid_on_time + other.paid_on_time,
            paid_late=self.paid_late + other.paid_late,
            order_count=self.order_count + other.order_count,
            order_amount=Decimal(self.order_amount) + Decimal(other.order_amount),
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe figures (the amount as a string, exact to the fen)."""
        return {
            "paid_on_time": self.paid_on_time,
            "paid_late": self.paid_late,
            "order_count": self.order_count,
            "order_amount": str(Decimal(self.order_amount).quantize(Decimal("0.01"))),
        }


HistoryProvider = Callable[["Customer"], CreditHistory]

_providers: list[HistoryProvider] = []


def register_history_provider(provider: HistoryProvider) -> HistoryProvider:
    """Add ``provider`` (once; registering it again changes nothing). Usable as a decorator."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister_history_provider(provider: HistoryProvider) -> None:
    """Remove ``provider`` if it is registered."""
    if provider in _providers:
        _providers.remove(provider)


@contextmanager
def history_provider(provider: HistoryProvider) -> Iterator[HistoryProvider]:
    """Register ``provider`` for the ``with`` block only (tests, one-off scripts)."""
    register_history_provider(provider)
    try:
        yield provider
    finally:
        unregister_history_provider(provider)


def history_for(customer: Customer) -> CreditHistory:
    """The customer's history: the sum of what every registered provider reports."""
    return sum((provider(customer) for provider in list(_providers)), start=CreditHistory())
