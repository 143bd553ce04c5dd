"""Money received on an order through billing, for tests of the rules that read it (the
deposit before release, the balance before shipment)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from orderdesk.billing import services
from orderdesk.billing.models import Allocation
from orderdesk.orders.models import Order


def prepaid(
    order: Order, amount: Decimal | str, by: Any, *, reference: str = "ICBC-T1"
) -> Allocation:
    """A deposit request of ``amount`` on ``order``, paid by bank transfer today and
    allocated to it."""
    value = Decimal(amount)
    request = services.request_deposit(order, by=by, amount=value)
    payment = services.record_payment(
        order.customer,
        amount=value,
        method="bank_transfer",
        reference=reference,
        received_on=timezone.localdate(),
        by=by,
    )
    return services.allocate(payment, request, value, by=by)
