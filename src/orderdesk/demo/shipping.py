"""Demo shipments (发货单, issue 6) for the demo's released orders.

Through ``shipping.services``, as the logistics clerk (``logistics1``, else the system
account): shipments in transit, delivered (signed a few days after leaving), late (shipped
long enough ago that the expected arrival has passed, not confirmed) and one with a
delivery exception (damage; it opens an after-sales case). B and C customers' orders are
released to ship first by finance (``finance1``) with the amount received — the stand-in
until billing. Safe when there is no such order (it creates nothing) and when run twice
(it adds nothing).
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from orderdesk.core import workcalendar
from orderdesk.core.errors import DomainError
from orderdesk.orders.models import Order
from orderdesk.shipping import services
from orderdesk.shipping.models import Shipment
from orderdesk.shipping.services import clearance
from orderdesk.shipping.services.shipments import SHIPPABLE

from .cast import acting
from .payments import prepay

STATES = ("in_transit", "delivered", "late", "exception")
CARRIERS = (("SF", "SF{:013d}"), ("JD", "JDVA{:011d}"), ("ZTO", "{:014d}"), ("YD", "{:013d}"))
SIGNERS = ("王经理", "仓库李师傅", "前台张小姐", "采购赵工")


def create_shipments(*, seed: int) -> dict[str, int]:
    """Create the demo's shipments; returns counts per state (``shipments``: all)."""
    rng = random.Random(f"{seed}:shipping")
    counts = {"shipments": 0, **dict.fromkeys(STATES, 0)}
    if Shipment.objects.exists():
        return counts  # already loaded
    clerk = acting("logistics1", services.shipments.SHIP)
    finance = acting("finance1", clearance.CLEAR)
    supervisor = acting("csmgr", clearance.URGENT)
    service = acting("cs1", "shipping.report_delivery_exceptions")
    today = timezone.localdate()
    orders = Order.objects.filter(status__in=SHIPPABLE).select_related("customer").order_by("pk")
    index = 0
    for order in orders[:12]:
        state = STATES[index % len(STATES)] if index < len(STATES) else rng.choice(STATES)
        try:
            if clearance.missing_clearance(order):  # B/C: the balance before shipment
                if index % 3 == 1:  # or, now and then, urgent: the customer pays later
                    reason = "客户产线停工待料，先发货，余款随后支付"
                    clearance.approve_urgent(order, reason=reason, by=supervisor)
                else:
                    paid = clearance.balance_paid(order).amount
                    prepay(order, order.total_amount - paid, rng=rng)
                    clearance.clear_on_payments(order, by=finance, note="余款已到账")
            ship_date = {
                "in_transit": today,
                "delivered": workcalendar.add_working_days(today, -4),
                "late": workcalendar.add_working_days(today, -7),
                "exception": workcalendar.add_working_days(today, -3),
            }[state]
            code, pattern = rng.choice(CARRIERS)
            shipment = services.create_shipment(
                order,
                by=clerk,
                carrier=code,
                tracking_number=pattern.format(rng.randrange(10**12)),
                packages=rng.randint(1, 6),
                ship_date=ship_date,
            )
            services.confirm_shipment(shipment, by=clerk)
            shipment.refresh_from_db()
            if state == "delivered":
                services.confirm_delivery(
                    shipment,
                    signer=rng.choice(SIGNERS),
                    delivered_on=min(ship_date + dt.timedelta(days=2), today),
                    by=clerk,
                )
            elif state == "exception":
                row = shipment.lines.order_by("pk").first()
                if row is not None:
                    services.report_exception(
                        shipment,
                        kind="damage",
                        lines=[{"shipment_line_id": row.pk, "quantity": "1"}],
                        description="到货时外箱破损，一件产品外壳变形（演示数据）",
                        by=service,
                    )
        except DomainError:
            continue  # an order the demo cannot ship (nothing to ship, no stock reserved…)
        index += 1
        counts[state] += 1
        counts["shipments"] += 1
    return counts
