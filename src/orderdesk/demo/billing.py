"""Demo invoices, payments and statements (issue 7) for the demo's shipments.

Through ``billing.services`` as finance (``finance1``, else the system account): one
ordinary invoice per shipment that left, issued, then moved back in time so the aging report
has something in every bucket (not due, 1–30, 31–60, 61–90 and over 90 days overdue), and
payments received for some of them — in full, in part, and one overpayment that stays on the
customer's account as credit. The issue and due dates are set back with an update after the
services ran (demo history: the audit trail keeps the real time of entry). Then last month's
statements (对账单) for the customers with activity, one confirmed by the customer and one
disputed. Safe when there is nothing to invoice and when run twice (it adds nothing).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from orderdesk.billing import services, statements
from orderdesk.billing.models import Invoice, InvoiceKind, Statement, StatementStatus
from orderdesk.core.errors import Conflict, DomainError
from orderdesk.shipping.models import Shipment, ShipmentStatus

from .cast import acting

# (days overdue today, share paid), in turn for the invoices still open once what the
# customer paid ahead (deposit, balance before shipment) is applied.
HISTORY: tuple[tuple[int, Decimal], ...] = (
    (-20, Decimal(0)),  # not due yet
    (12, Decimal(0)),
    (-5, Decimal("1.1")),  # overpaid: the rest stays as credit
    (45, Decimal("0.5")),
    (75, Decimal(0)),
    (120, Decimal(0)),
    (30, Decimal(1)),  # paid in full
    (5, Decimal("0.3")),
)
METHODS = ("bank_transfer", "acceptance", "online", "cheque")


def create_billing(*, seed: int) -> dict[str, int]:
    """Invoice the demo's shipments, record payments and generate last month's statements;
    returns counts."""
    counts = {"invoices": 0, "payments": 0}
    if not Invoice.objects.exists():  # else already loaded
        counts = create_invoices(seed=seed)
    return counts | create_statements(seed=seed)


def create_invoices(*, seed: int) -> dict[str, int]:
    """Invoice the demo's shipments and record payments; returns counts."""
    counts = {"invoices": 0, "payments": 0}
    rng = random.Random(f"{seed}:billing")
    finance = acting("finance1", services.ISSUE)
    today = timezone.localdate()
    shipments = (
        Shipment.objects.filter(status__in=(ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED))
        .select_related("order", "order__customer")
        .order_by("ship_date", "pk")
    )
    aged = 0  # invoices left open once what was paid ahead is applied: they get a history
    for shipment in shipments:
        try:
            invoice = services.create_invoice(
                shipment.order, InvoiceKind.ORDINARY, by=finance, shipment=shipment
            )
            invoice = services.issue_invoice(
                invoice, by=finance, fapiao_number=f"{rng.randrange(10**19, 10**20)}"
            )
        except DomainError:
            continue  # nothing left to invoice on this shipment
        counts["invoices"] += 1
        invoice = apply_paid_deposit(invoice, finance)
        open_amount = invoice.gross_amount - invoice.credited_amount - invoice.allocated_amount
        if open_amount <= 0:  # paid before shipment (B/C customers)
            due = shipment.ship_date + dt.timedelta(days=30)
            Invoice.objects.filter(pk=invoice.pk).update(issued_on=shipment.ship_date, due_on=due)
            continue
        overdue, share = HISTORY[aged % len(HISTORY)]
        aged += 1
        due = today - dt.timedelta(days=overdue)
        issued = min(today, due - dt.timedelta(days=30))
        Invoice.objects.filter(pk=invoice.pk).update(issued_on=issued, due_on=due)
        if share > 0:
            amount = (open_amount * share).quantize(Decimal("0.01"))
            payment = services.record_payment(
                shipment.order.customer,
                amount=amount,
                method=METHODS[aged % len(METHODS)],
                received_on=min(today, due + dt.timedelta(days=rng.randrange(0, 10))),
                reference=f"DEMO-{rng.randrange(100000, 999999)}",
                by=finance,
            )
            services.allocate(payment, invoice, min(amount, open_amount), by=finance)
            counts["payments"] += 1
    return counts


def apply_paid_deposit(invoice: Invoice, finance: Any) -> Invoice:
    """What the customer paid ahead on the order (deposit, balance before shipment) goes
    to its invoice, as finance does with the shortcut on the invoice page."""
    try:
        services.apply_deposit(invoice, by=finance)
    except Conflict:
        return invoice  # nothing paid ahead
    return Invoice.objects.get(pk=invoice.pk)


def create_statements(*, seed: int) -> dict[str, int]:
    """Last month's statements for the customers with activity or a balance (the monthly
    job's run, by finance); one is confirmed by the customer on the page the e-mail links
    to, another disputed, recorded by finance. Nothing new when run again."""
    finance = acting("finance1", statements.FINANCE)
    period = statements.last_month()
    counts = statements.generate_month(period, by=finance)
    if Statement.objects.filter(period=period).exclude(status=StatementStatus.ISSUED).exists():
        return {"statements": counts["created"]}
    waiting = sorted(
        Statement.objects.filter(period=period, status=StatementStatus.ISSUED).select_related(
            "customer"
        ),
        key=lambda statement: (not statement.lines, statement.customer.code),
    )[:2]  # statements with lines first: they show what the customer answered about
    for index, statement in enumerate(waiting):
        contact = statement.customer.contacts.filter(left_on__isnull=True).first()
        name = contact.name if contact is not None else statement.customer.name
        if index == 0:
            statements.respond_by_token(statement.token, confirmed=True, name=name)
            continue
        line = next((line for line in statement.lines if line["kind"] == "invoice"), None)
        reason = (
            f"发票 {line['number']} 我方尚未收到,请核实。"
            if line is not None
            else "我方记录已全部付款,余额应为零,请核实。"
        )
        statements.record_response(statement, confirmed=False, name=name, note=reason, by=finance)
    return {"statements": counts["created"]}
