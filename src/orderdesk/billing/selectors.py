"""Reads for billing: what is still invoiceable, open amounts, the customer account, the
receivables aging and the credit exposure.

Open amounts come from the running totals the services keep on the locked rows, so the
aging report is a single aggregate query (``Case``/``When`` on ``due_on``) however many
open items there are.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orderdesk.core import permissions
from orderdesk.core.errors import NotFound
from orderdesk.core.money import to_fen
from orderdesk.customers.models import Customer
from orderdesk.customers.selectors import customers_visible_to
from orderdesk.orders.models import Order, OrderLine, OrderStatus
from orderdesk.orders.receivables import OrderPaid
from orderdesk.shipping.models import SENT, Shipment, ShipmentLine

from .models import (
    Allocation,
    BillingSettings,
    CreditNoteLine,
    DepositRequest,
    DepositStatus,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Payment,
)

ZERO = Decimal(0)
MONEY: DecimalField = DecimalField(max_digits=16, decimal_places=2)
VIEW = "billing.view_receivables"
WRITERS = ("billing.issue_invoices", "billing.record_payments")
BUCKETS = ("not_due", "d1_30", "d31_60", "d61_90", "over_90")
EXPOSED_STATUSES = (
    OrderStatus.APPROVED,
    OrderStatus.AWAITING_CONFIRMATION,
    OrderStatus.RELEASED,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.PARTIALLY_SHIPPED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
)


def billing_settings() -> BillingSettings:
    found, _created = BillingSettings.objects.get_or_create(pk=1)
    return found


# --- visibility -----------------------------------------------------------------------------


def can_view(user: Any) -> bool:
    return any(permissions.has(user, name) for name in (VIEW, *WRITERS))


def visible_customers(user: Any) -> QuerySet[Customer]:
    """The customers whose receivables ``user`` may see (sales: their own)."""
    if not can_view(user):
        return Customer.objects.none()
    return customers_visible_to(user)


def invoices_visible_to(user: Any) -> QuerySet[Invoice]:
    return Invoice.objects.filter(customer__in=visible_customers(user))


def payments_visible_to(user: Any) -> QuerySet[Payment]:
    return Payment.objects.filter(customer__in=visible_customers(user))


def deposit_requests_visible_to(user: Any) -> QuerySet[DepositRequest]:
    return DepositRequest.objects.filter(customer__in=visible_customers(user))


def invoice_for(user: Any, invoice_id: int) -> Invoice:
    found = invoices_visible_to(user).select_related("customer", "order").filter(pk=invoice_id)
    invoice = found.first()
    if invoice is None:
        raise NotFound(_("No such invoice."), code="invoice_not_found")
    return invoice


def payment_for(user: Any, payment_id: int) -> Payment:
    payment = payments_visible_to(user).select_related("customer").filter(pk=payment_id).first()
    if payment is None:
        raise NotFound(_("No such payment."), code="payment_not_found")
    return payment


def deposit_request_for(user: Any, request_id: int) -> DepositRequest:
    found = deposit_requests_visible_to(user).filter(pk=request_id).first()
    if found is None:
        raise NotFound(_("No such deposit request."), code="deposit_request_not_found")
    return found


def customer_for(user: Any, customer_id: int) -> Customer:
    customer = visible_customers(user).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("No such customer."), code="customer_not_found")
    return customer


# --- what is invoiced and invoiceable -------------------------------------------------------


def invoiced_by_line(
    order: Order, *, shipment: Shipment | None = None
) -> dict[int, dict[str, Decimal]]:
    """Per order line: quantity, net, tax and gross on non-void invoices less credit notes
    (of ``shipment``'s invoices only when given)."""
    lines = InvoiceLine.objects.filter(invoice__order=order).exclude(
        invoice__status=InvoiceStatus.VOID
    )
    credits = CreditNoteLine.objects.filter(invoice_line__invoice__order=order).exclude(
        invoice_line__invoice__status=InvoiceStatus.VOID
    )
    if shipment is not None:
        lines = lines.filter(invoice__shipment=shipment)
        credits = credits.filter(invoice_line__invoice__shipment=shipment)
    totals: dict[int, dict[str, Decimal]] = defaultdict(
        lambda: {"quantity": ZERO, "net": ZERO, "tax": ZERO, "gross": ZERO}
    )
    sums = {
        "q": Sum("quantity"),
        "n": Sum("net_amount"),
        "t": Sum("tax_amount"),
        "g": Sum("gross_amount"),
    }
    for row in lines.values("order_line_id").annotate(**sums):
        entry = totals[row["order_line_id"]]
        entry["quantity"] += row["q"]
        entry["net"] += row["n"]
        entry["tax"] += row["t"]
        entry["gross"] += row["g"]
    for row in credits.values("invoice_line__order_line_id").annotate(**sums):
        entry = totals[row["invoice_line__order_line_id"]]
        entry["quantity"] -= row["q"]
        entry["net"] -= row["n"]
        entry["tax"] -= row["t"]
        entry["gross"] -= row["g"]
    return dict(totals)


def invoiceable(order: Order, *, shipment: Shipment | None = None) -> dict[int, Decimal]:
    """Per order line id, the quantity that may still be invoiced: for the whole order,
    ordered less invoiced; for a shipment, what it shipped less what was invoiced for it
    (and never more than the order line still has)."""
    invoiced = invoiced_by_line(order)
    lines = list(OrderLine.objects.filter(order=order).order_by("line_no"))
    left = {
        line.pk: max(line.quantity - invoiced.get(line.pk, {}).get("quantity", ZERO), ZERO)
        for line in lines
    }
    if shipment is None:
        return left
    if shipment.status not in SENT:
        return {line.pk: ZERO for line in lines}
    on_shipment = invoiced_by_line(order, shipment=shipment)
    shipped = dict(
        ShipmentLine.objects.filter(shipment=shipment).values_list("order_line_id", "quantity")
    )
    return {
        line.pk: max(
            min(
                shipped.get(line.pk, ZERO) - on_shipment.get(line.pk, {}).get("quantity", ZERO),
                left[line.pk],
            ),
            ZERO,
        )
        for line in lines
    }


ZERO_SUM = Decimal(0)


def totals_per_rate(invoice: Invoice) -> list[dict[str, Decimal]]:
    """The invoice's net, tax and gross per VAT rate (as printed at the foot of a fapiao).
    Summed from ``invoice.lines.all()``, so a list with the lines prefetched needs no query
    per invoice."""
    sums: dict[Decimal, list[Decimal]] = defaultdict(lambda: [ZERO_SUM, ZERO_SUM, ZERO_SUM])
    for line in invoice.lines.all():
        totals = sums[line.tax_rate]
        totals[0] += line.net_amount
        totals[1] += line.tax_amount
        totals[2] += line.gross_amount
    return [
        {"tax_rate": rate, "net": to_fen(net), "tax": to_fen(tax), "gross": to_fen(gross)}
        for rate, (net, tax, gross) in sorted(sums.items())
    ]


# --- open amounts ---------------------------------------------------------------------------

INVOICE_OPEN = ExpressionWrapper(
    F("gross_amount") - F("credited_amount") - F("allocated_amount"), output_field=MONEY
)
DEPOSIT_OPEN = ExpressionWrapper(F("amount") - F("allocated_amount"), output_field=MONEY)


def open_invoices(customer: Customer | None = None) -> QuerySet[Invoice]:
    invoices = Invoice.objects.filter(status=InvoiceStatus.ISSUED).annotate(open=INVOICE_OPEN)
    if customer is not None:
        invoices = invoices.filter(customer=customer)
    return invoices.filter(open__gt=0)


def open_deposit_requests(customer: Customer | None = None) -> QuerySet[DepositRequest]:
    requests = DepositRequest.objects.filter(status=DepositStatus.OPEN).annotate(open=DEPOSIT_OPEN)
    if customer is not None:
        requests = requests.filter(customer=customer)
    return requests.filter(open__gt=0)


def deposit_received(order: Order) -> Decimal:
    """What the customer paid against the order's deposit requests: active allocations, and
    those moved on to the order's invoice while that allocation stands (the deposit was
    received all the same; reversing the invoice allocation frees the money again)."""
    total = (
        Allocation.objects.filter(deposit_request__order=order)
        .filter(
            Q(reversed_at__isnull=True)
            | Q(moved_to__isnull=False, moved_to__reversed_at__isnull=True)
        )
        .aggregate(total=Sum("amount"))["total"]
    )
    return to_fen(total or ZERO)


def paid_on_order(order: Order) -> OrderPaid:
    """Payments allocated to the order: to its deposit requests and its issued invoices
    (active allocations; a deposit moved on to an invoice counts once, on the invoice)."""
    allocations = (
        Allocation.objects.filter(reversed_at__isnull=True)
        .filter(
            Q(deposit_request__order=order)
            | Q(invoice__order=order, invoice__status=InvoiceStatus.ISSUED)
        )
        .values_list("amount", "payment__number")
        .order_by("payment__received_on", "payment_id")
    )
    amount = ZERO
    receipts: dict[str, None] = {}
    for value, number in allocations:
        amount += value
        receipts[number] = None
    return OrderPaid(amount=to_fen(amount), receipts=tuple(receipts))


def total(queryset: QuerySet[Any], field: str) -> Decimal:
    found = queryset.aggregate(total=Coalesce(Sum(field), Value(ZERO), output_field=MONEY))
    return to_fen(found["total"])


def balance(customer: Customer) -> Decimal:
    """Issued invoices − credit notes − payments (negative: the customer is in credit)."""
    invoiced = total(
        Invoice.objects.filter(customer=customer, status=InvoiceStatus.ISSUED), "gross_amount"
    )
    credited = total(
        Invoice.objects.filter(customer=customer, status=InvoiceStatus.ISSUED), "credited_amount"
    )
    paid = total(Payment.objects.filter(customer=customer), "amount")
    return invoiced - credited - paid


def unallocated_credit(customer: Customer) -> Decimal:
    return total(
        Payment.objects.filter(customer=customer).annotate(
            left=ExpressionWrapper(F("amount") - F("allocated_amount"), output_field=MONEY)
        ),
        "left",
    )


def open_items(customer: Customer, *, on: dt.date | None = None) -> list[dict[str, Any]]:
    """Open invoices and deposit requests, oldest due first."""
    on = on or timezone.localdate()
    items: list[dict[str, Any]] = [
        {
            "kind": "invoice",
            "id": invoice.pk,
            "number": invoice.number,
            "order_id": invoice.order_id,
            "due_on": invoice.due_on,
            "amount": invoice.gross_amount - invoice.credited_amount,
            "open_amount": to_fen(invoice.open),  # type: ignore[attr-defined]
            "days_overdue": max((on - invoice.due_on).days, 0) if invoice.due_on else 0,
        }
        for invoice in open_invoices(customer)
    ]
    items += [
        {
            "kind": "deposit_request",
            "id": request.pk,
            "number": "",
            "order_id": request.order_id,
            "due_on": request.due_on,
            "amount": request.amount,
            "open_amount": to_fen(request.open),  # type: ignore[attr-defined]
            "days_overdue": max((on - request.due_on).days, 0),
        }
        for request in open_deposit_requests(customer)
    ]
    items.sort(key=lambda item: (item["due_on"] or dt.date.max, item["kind"], item["id"]))
    return items


def account(customer: Customer, *, on: dt.date | None = None) -> dict[str, Any]:
    on = on or timezone.localdate()
    report = aging(on=on, customer=customer)
    return {
        "customer_id": customer.pk,
        "customer": customer.name,
        "balance": balance(customer),
        "unallocated_credit": unallocated_credit(customer),
        "open_receivables": report["total"]["total"],
        "open_items": open_items(customer, on=on),
        "aging": report["total"],
        "exposure": exposure(customer),
    }


# --- aging ----------------------------------------------------------------------------------


def bucket_sums(on: dt.date) -> dict[str, Any]:
    def days(n: int) -> dt.date:
        return on - dt.timedelta(days=n)

    def bucket(condition: Q) -> Sum:
        return Sum(Case(When(condition, then=F("open")), default=Value(ZERO), output_field=MONEY))

    return {
        "not_due": bucket(Q(due_on__gte=on)),
        "d1_30": bucket(Q(due_on__lt=on, due_on__gte=days(30))),
        "d31_60": bucket(Q(due_on__lt=days(30), due_on__gte=days(60))),
        "d61_90": bucket(Q(due_on__lt=days(60), due_on__gte=days(90))),
        "over_90": bucket(Q(due_on__lt=days(90))),
        "total": Sum("open"),
    }


def aging(
    *, on: dt.date | None = None, customer: Customer | None = None, user: Any = None
) -> dict[str, Any]:
    """Open invoice amounts by days overdue on ``on``: not due, 1–30, 31–60, 61–90 and over
    90 days, per customer and in total; ``user`` limits it to the customers they may see."""
    on = on or timezone.localdate()
    invoices = open_invoices(customer)
    if user is not None:
        invoices = invoices.filter(customer__in=visible_customers(user))
    rows = list(
        invoices.order_by()
        .values("customer_id", "customer__code", "customer__name")
        .annotate(**bucket_sums(on))
        .order_by("customer__code")
    )
    grand = dict.fromkeys((*BUCKETS, "total"), to_fen(ZERO))
    customers = []
    for row in rows:
        entry = {
            "customer_id": row["customer_id"],
            "code": row["customer__code"],
            "name": row["customer__name"],
            **{name: to_fen(row[name] or ZERO) for name in (*BUCKETS, "total")},
        }
        for name in (*BUCKETS, "total"):
            grand[name] += entry[name]
        customers.append(entry)
    return {"on": on, "customers": customers, "total": grand}


# --- exposure -------------------------------------------------------------------------------


def uninvoiced_orders(customer: Customer, *, excluding: Order | None = None) -> Decimal:
    """Approved-but-uninvoiced amounts: the totals of orders from approved to delivered, less
    what is invoiced on them (issued invoices less credit notes; a draft is neither a
    receivable nor invoiced yet)."""
    invoiced = (
        Invoice.objects.filter(order=OuterRef("pk"), status=InvoiceStatus.ISSUED)
        .order_by()
        .values("order")
        .annotate(
            amount=Sum(
                ExpressionWrapper(F("gross_amount") - F("credited_amount"), output_field=MONEY)
            )
        )
        .values("amount")
    )
    orders = Order.objects.filter(customer=customer, status__in=EXPOSED_STATUSES)
    if excluding is not None:
        orders = orders.exclude(pk=excluding.pk)
    orders = orders.annotate(
        left=ExpressionWrapper(
            F("total_amount") - Coalesce(Subquery(invoiced), Value(ZERO), output_field=MONEY),
            output_field=MONEY,
        )
    )
    return total(orders.filter(left__gt=0), "left")


def exposure(customer: Customer, *, excluding: Order | None = None) -> Decimal:
    """Credit exposure: open receivables + approved-but-uninvoiced orders (without
    ``excluding``, the order whose credit is being checked)."""
    return total(open_invoices(customer), "open") + uninvoiced_orders(customer, excluding=excluding)


def overdue(customer: Customer, *, on: dt.date | None = None) -> Decimal:
    """What the customer owes past the due dates of its issued invoices."""
    on = on or timezone.localdate()
    return total(open_invoices(customer).filter(due_on__lt=on), "open")
