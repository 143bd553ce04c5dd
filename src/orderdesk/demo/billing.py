"""Demo invoices and payments (issue 7) for the demo's shipments.

Through ``billing.services`` as finance (``finance1``, else the system account): one
ordinary invoice per shipment that left, issued, then moved back in time so the aging report
has something in every bucket (not due, 1–30, 31–60, 61–90 and over 90 days overdue), and
payments received for some of them — in full, in part, and one overpayment that stays on the
customer's account as credit. The issue and due dates are set back with an update after the
services ran (demo history: the audit trail keeps the real time of entry). Safe when there is
nothing to invoice and when run twice (it adds nothing).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from orderdesk.billing import services
from orderdesk.billing.models import Invoice, InvoiceKind
from orderdesk.core.errors import DomainError
from orderdesk.shipping.models import Shipment, ShipmentStatus

from .cast import acting

# (days overdue today, share paid): in the order the shipments are invoiced.
HISTORY: tuple[tuple[int, Decimal], ...] = (
    (-20, Decimal(0)),  # not due yet
    (12, Decimal(0)),
    (45, Decimal("0.5")),
    (75, Decimal(0)),
    (120, Decimal(0)),
    (30, Decimal(1)),  # paid in full
    (-5, Decimal("1.1")),  # overpaid: the rest stays as credit
    (5, Decimal("0.3")),
)
METHODS = ("bank_transfer", "acceptance", "online", "cheque")


def create_billing(*, seed: int) -> dict[str, int]:
    """Invoice the demo's shipments and record payments; returns counts."""
    counts = {"invoices": 0, "payments": 0}
    if Invoice.objects.exists():
        return counts  # already loaded
    rng = random.Random(f"{seed}:billing")
    finance = acting("finance1", services.ISSUE)
    today = timezone.localdate()
    shipments = (
        Shipment.objects.filter(status__in=(ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED))
        .select_related("order", "order__customer")
        .order_by("ship_date", "pk")
    )
    for index, shipment in enumerate(shipments):
        overdue, share = HISTORY[index % len(HISTORY)]
        try:
            invoice = services.create_invoice(
                shipment.order, InvoiceKind.ORDINARY, by=finance, shipment=shipment
            )
            invoice = services.issue_invoice(
                invoice, by=finance, fapiao_number=f"{rng.randrange(10**19, 10**20)}"
            )
        except DomainError:
            continue  # nothing left to invoice on this shipment
        due = today - dt.timedelta(days=overdue)
        issued = min(today, due - dt.timedelta(days=30))
        Invoice.objects.filter(pk=invoice.pk).update(issued_on=issued, due_on=due)
        counts["invoices"] += 1
        if share > 0:
            amount = (invoice.gross_amount * share).quantize(Decimal("0.01"))
            payment = services.record_payment(
                shipment.order.customer,
                amount=amount,
                method=METHODS[index % len(METHODS)],
                received_on=min(today, due + dt.timedelta(days=rng.randrange(0, 10))),
                reference=f"DEMO-{rng.randrange(100000, 999999)}",
                by=finance,
            )
            services.allocate(payment, invoice, min(amount, invoice.gross_amount), by=finance)
            counts["payments"] += 1
    return counts
