"""Reads for shipping: settings, carriers, shipments a user may see, quantities per order
line, the fulfilment of an order and the in-transit list."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone

from orderdesk.core.errors import NotFound
from orderdesk.orders.models import Order
from orderdesk.orders.selectors import orders_visible_to
from orderdesk.preparation.selectors import prepared_by_line

from .models import (
    COUNTED,
    SENT,
    Carrier,
    Clearance,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    ShippingSettings,
)

ZERO = Decimal(0)
QUANTUM = Decimal("0.001")


def q3(value: Decimal) -> Decimal:
    """A quantity to three places (sums come back from SQLite without them)."""
    return Decimal(value or 0).quantize(QUANTUM)


def shipping_settings() -> ShippingSettings:
    row, _created = ShippingSettings.objects.get_or_create(pk=1)
    return row


def active_carriers() -> QuerySet[Carrier]:
    return Carrier.objects.filter(active=True)


def carrier_by_key(key: Any) -> Carrier | None:
    """A carrier by id or code (case-insensitive)."""
    if key is None or key == "":
        return None
    if isinstance(key, Carrier):
        return key
    text = str(key).strip()
    if text.isdigit():
        found = Carrier.objects.filter(pk=int(text)).first()
        if found is not None:
            return found
    return Carrier.objects.filter(code__iexact=text).first()


def clearance_of(order: Order) -> Clearance | None:
    return Clearance.objects.filter(order=order).select_related("cleared_by").first()


def shipments_visible_to(user: Any) -> QuerySet[Shipment]:
    """Shipments of the orders the user may see."""
    return Shipment.objects.filter(order__in=orders_visible_to(user))


def shipment_for(user: Any, shipment_id: Any) -> Shipment:
    try:
        pk = int(shipment_id)
    except (TypeError, ValueError):
        pk = 0
    found = (
        shipments_visible_to(user)
        .select_related("order", "order__customer", "order__salesperson", "carrier", "warehouse")
        .filter(pk=pk)
        .first()
        if 0 < pk < 2**63
        else None
    )
    if found is None:
        raise NotFound(code="shipment_not_found")
    return found


def shipment_for_token(token: str) -> Shipment:
    token = (token or "").strip()
    found = (
        Shipment.objects.select_related("order", "order__customer", "carrier")
        .filter(delivery_token=token)
        .exclude(status__in=(ShipmentStatus.DRAFT, ShipmentStatus.CANCELLED))
        .first()
        if 20 <= len(token) <= 64
        else None
    )
    if found is None:
        from django.utils.translation import gettext as _

        raise NotFound(
            _("This delivery link is not valid. Please contact your salesperson."),
            code="delivery_link_invalid",
        )
    return found


def quantities_by_line(
    order: Order, *, statuses: Any = COUNTED, exclude_shipment: int | None = None
) -> dict[int, Decimal]:
    """``{order_line_id: quantity}`` in the order's shipments of ``statuses``."""
    lines = ShipmentLine.objects.filter(shipment__order=order, shipment__status__in=statuses)
    if exclude_shipment is not None:
        lines = lines.exclude(shipment_id=exclude_shipment)
    return {
        row["order_line_id"]: row["total"] or ZERO
        for row in lines.values("order_line_id").annotate(total=Sum("quantity"))
    }


def delivered_by_line(order: Order) -> dict[int, Decimal]:
    rows = (
        ShipmentLine.objects.filter(shipment__order=order, shipment__status__in=SENT)
        .values("order_line_id")
        .annotate(total=Sum("delivered_quantity"))
    )
    return {row["order_line_id"]: row["total"] or ZERO for row in rows}


def fulfilment(order: Order) -> list[dict[str, Any]]:
    """Per order line: ordered, prepared (picked, from preparation, and at least what was
    shipped), shipped, delivered, and what is still to ship."""
    shipped = quantities_by_line(order, statuses=SENT)
    delivered = delivered_by_line(order)
    prepared: dict[int, Decimal] = defaultdict(lambda: ZERO)
    prepared.update(prepared_by_line(order))
    rows = []
    for line in order.lines.order_by("line_no"):
        sent = shipped.get(line.pk, ZERO)
        rows.append(
            {
                "line_id": line.pk,
                "line_no": line.line_no,
                "sku": line.sku,
                "name": line.name,
                "spec": line.spec,
                "unit": line.unit,
                "ordered": q3(line.quantity),
                # What left was prepared, whether or not it was picked on a list.
                "prepared": q3(max(prepared[line.pk], sent)),
                "shipped": q3(sent),
                "delivered": q3(delivered.get(line.pk, ZERO)),
                "remaining": q3(max(line.quantity - sent, ZERO)),
            }
        )
    return rows


def search_shipments(
    user: Any,
    *,
    status: str = "",
    order_id: int | None = None,
    in_transit: bool = False,
    overdue: bool = False,
    q: str = "",
) -> QuerySet[Shipment]:
    shipments = shipments_visible_to(user).select_related(
        "order", "order__customer", "carrier", "warehouse"
    )
    if status:
        shipments = shipments.filter(status=status)
    if order_id:
        shipments = shipments.filter(order_id=order_id)
    if in_transit or overdue:
        shipments = shipments.filter(status=ShipmentStatus.SHIPPED)
    if overdue:
        shipments = shipments.filter(expected_arrival__lt=timezone.localdate())
    if q := (q or "").strip():
        from django.db.models import Q

        shipments = shipments.filter(
            Q(number__startswith=q.upper())
            | Q(order__number__startswith=q.upper())
            | Q(tracking_number__startswith=q.upper())
            | Q(order__customer__name__icontains=q)
        )
    if in_transit or overdue:
        return shipments.order_by("expected_arrival", "id")
    return shipments.order_by("-ship_date", "-id")
