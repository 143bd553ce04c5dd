"""Writes for shipping, one public function per use case (see the modules)."""

from .clearance import (
    approve_urgent,
    balance_paid,
    clear_on_payments,
    clear_per_terms,
    complete_paperwork,
)
from .delivery import confirm_delivery, confirm_delivery_by_token, report_exception
from .notices import send_notice
from .settings import update_carrier, update_settings
from .shipments import (
    cancel_shipment,
    confirm_shipment,
    create_shipment,
    set_tracking,
    update_draft,
)

__all__ = [
    "approve_urgent",
    "balance_paid",
    "cancel_shipment",
    "clear_on_payments",
    "clear_per_terms",
    "complete_paperwork",
    "confirm_delivery",
    "confirm_delivery_by_token",
    "confirm_shipment",
    "create_shipment",
    "report_exception",
    "send_notice",
    "set_tracking",
    "update_carrier",
    "update_draft",
    "update_settings",
]
