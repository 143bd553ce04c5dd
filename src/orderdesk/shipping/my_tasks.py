""" "My tasks" (我的待办) for shipping, registered in ``ShippingConfig.ready()``:

- the salesperson's deliveries to confirm: shipments whose expected arrival has come without
  a delivery confirmation, due one working day after the expected arrival;
- finance's open paperwork of urgent shipments (``shipping.clear_shipments``).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.core import permissions, workcalendar
from orderdesk.core.worklist import Task
from orderdesk.orders.services.confirmation import end_of

from .models import Clearance, Shipment, ShipmentStatus


def delivery_tasks(user: Any) -> list[Task]:
    if getattr(user, "pk", None) is None:
        return []
    today = timezone.localdate()
    shipments = (
        Shipment.objects.filter(
            order__salesperson=user,
            status=ShipmentStatus.SHIPPED,
            expected_arrival__lte=today,
        )
        .select_related("order", "order__customer", "carrier")
        .order_by("expected_arrival", "pk")[:200]
    )
    return [
        Task(
            kind=_("Deliveries to confirm"),
            title=f"{shipment.number} · {shipment.order.number} {shipment.order.customer.name}",
            url=reverse("shipping:detail", args=[shipment.pk]) + "#delivery",
            due_at=end_of(workcalendar.add_working_days(shipment.expected_arrival, 1)),
            detail=_("{carrier} {tracking}, expected {date}").format(
                carrier=shipment.carrier.name,
                tracking=shipment.tracking_number,
                date=shipment.expected_arrival.isoformat(),
            ),
        )
        for shipment in shipments
    ]


def paperwork_tasks(user: Any) -> list[Task]:
    if not permissions.has(user, "shipping.clear_shipments") or getattr(user, "is_system", False):
        return []
    open_items = (
        Clearance.objects.filter(paperwork_open=True)
        .select_related("order", "order__customer")
        .order_by("cleared_at")[:200]
    )
    return [
        Task(
            kind=_("Urgent shipments: paperwork to complete"),
            title=f"{item.order.number} · {item.order.customer.name}",
            url=reverse("orders:detail", args=[item.order_id]) + "#shipping",
            detail=item.note,
        )
        for item in open_items
    ]
