"""Purchase (or production) requests: restock on the way, and its receipt (采购入库)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.catalog.models import Product
from orderdesk.core import audit, permissions
from orderdesk.core.errors import InvalidTransition

from ..models import PurchaseRequest, PurchaseStatus, Warehouse
from .ledger import clean_product, clean_quantity, clean_reason, clean_warehouse, raise_if
from .stock import MANAGE, receive_stock


def create_purchase_request(
    product: Any,
    warehouse: Any,
    quantity: Any,
    *,
    expected_on: Any,
    by: Any,
    note: str = "",
) -> PurchaseRequest:
    """Record restock on the way; its date becomes the restock date quoted on shortfalls."""
    permissions.require(by, MANAGE)
    errors: dict[str, str] = {}
    quantity = clean_quantity(quantity, errors)
    found = clean_product(product, errors)
    place = clean_warehouse(warehouse, errors)
    if not isinstance(expected_on, dt.date) or isinstance(expected_on, dt.datetime):
        errors["expected_on"] = _("Enter the expected date.")
    elif expected_on < timezone.localdate():
        errors["expected_on"] = _("The expected date cannot be in the past.")
    raise_if(errors)
    found, place = cast(Product, found), cast(Warehouse, place)
    with transaction.atomic():
        request = PurchaseRequest.objects.create(
            product=found,
            warehouse=place,
            quantity=quantity,
            expected_on=expected_on,
            note=(note or "").strip(),
            created_by=by if getattr(by, "pk", None) else None,
        )
        audit.record(
            request,
            "purchase_request_created",
            by=by,
            changes={"quantity": (None, quantity), "expected_on": (None, expected_on)},
        )
    return request


def lock_open_request(request: PurchaseRequest) -> PurchaseRequest:
    locked = PurchaseRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != PurchaseStatus.OPEN:
        raise InvalidTransition(
            _("This purchase request is already {status}.").format(
                status=locked.get_status_display()
            )
        )
    return locked


def receive_purchase_request(
    request: PurchaseRequest, *, by: Any, quantity: Any = None
) -> PurchaseRequest:
    """Book the goods of a purchase request into its warehouse and close it."""
    permissions.require(by, MANAGE)
    with transaction.atomic():
        locked = lock_open_request(request)
        received = locked.quantity if quantity is None else quantity
        receive_stock(
            locked.product_id,
            locked.warehouse,
            received,
            by=by,
            reference=_("purchase request {number}").format(number=locked.pk),
            source=locked,
        )
        locked.status = PurchaseStatus.RECEIVED
        locked.save(update_fields=["status"])
        audit.record(
            locked, "purchase_request_received", by=by, changes={"status": ("open", "received")}
        )
    return locked


def cancel_purchase_request(request: PurchaseRequest, *, by: Any, reason: str) -> PurchaseRequest:
    permissions.require(by, MANAGE)
    errors: dict[str, str] = {}
    reason = clean_reason(reason, errors)
    raise_if(errors)
    with transaction.atomic():
        locked = lock_open_request(request)
        locked.status = PurchaseStatus.CANCELLED
        locked.save(update_fields=["status"])
        audit.record(
            locked,
            "purchase_request_cancelled",
            by=by,
            changes={"status": ("open", "cancelled")},
            reason=reason,
        )
    return locked
