"""Refusals specific to stock (stable codes for API clients)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from orderdesk.core.errors import Conflict


class InsufficientStock(Conflict):
    """Not enough available stock: says how much is available and when more is expected."""

    default_code = "insufficient_stock"

    def __init__(
        self, message: Any, *, available: Decimal, restock_on: dt.date | None, **kwargs: Any
    ) -> None:
        fields = {
            "available": available,
            "restock_on": restock_on.isoformat() if restock_on else "",
        }
        super().__init__(message, fields=fields, **kwargs)
        self.available = available
        self.restock_on = restock_on

    def as_dict(self) -> dict[str, Any]:
        restock = self.restock_on.isoformat() if self.restock_on else None
        return {**super().as_dict(), "available": str(self.available), "restock_on": restock}


class ReservationExists(Conflict):
    """The reference already holds an open reservation: release or issue it first."""

    default_code = "reservation_exists"


class ReservationClosed(Conflict):
    """The reservation was already released or fully issued."""

    default_code = "reservation_closed"
