"""Writes for stock, one public function per use case (see the modules)."""

from .purchasing import cancel_purchase_request, create_purchase_request, receive_purchase_request
from .reservations import issue, release, reserve
from .stock import adjust_stock, receive_stock, return_stock
from .warehouses import add_location, create_warehouse

__all__ = [
    "add_location",
    "adjust_stock",
    "cancel_purchase_request",
    "create_purchase_request",
    "create_warehouse",
    "issue",
    "receive_purchase_request",
    "receive_stock",
    "release",
    "reserve",
    "return_stock",
]
