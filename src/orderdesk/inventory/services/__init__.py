"""Writes for stock, one public function per use case (see the modules)."""

from .purchasing import cancel_purchase_request, create_purchase_request, receive_purchase_request
from .reservations import Wanted, issue, issue_many, release, reserve, reserve_many
from .stock import adjust_stock, receive_stock, return_stock
from .warehouses import add_location, create_warehouse

__all__ = [
    "Wanted",
    "add_location",
    "adjust_stock",
    "cancel_purchase_request",
    "create_purchase_request",
    "create_warehouse",
    "issue",
    "issue_many",
    "receive_purchase_request",
    "receive_stock",
    "release",
    "reserve",
    "reserve_many",
    "return_stock",
]
