"""Money the demo customers pay on their orders, through billing as finance: a deposit
request (定金, or the balance before shipment) paid by bank transfer and allocated to it."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from orderdesk.billing import services
from orderdesk.orders.models import Order

from .cast import acting


def prepay(order: Order, amount: Decimal, *, rng: random.Random, on: dt.date | None = None) -> None:
    """``order``'s customer pays ``amount`` against a new deposit request of that amount."""
    finance = acting("finance1", services.PAYMENTS)
    request = services.request_deposit(order, by=finance, amount=amount)
    payment = services.record_payment(
        order.customer,
        amount=amount,
        method="bank_transfer",
        reference=f"DEMO-{rng.randrange(10**6):06d}",
        received_on=on or timezone.localdate(),
        by=finance,
    )
    services.allocate(payment, request, amount, by=finance)
