"""/api/v1/invoices, /api/v1/payments, /api/v1/customers/{id}/account, /api/v1/receivables.

Every endpoint finds its object through the selectors (missing and hidden are one 404),
calls one service and renders; refusals leave as ``{"error": {"code", "message",
"fields"}}``. Amounts leave as decimal strings and may arrive as strings or JSON numbers.

- ``GET /invoices`` (filters ``customer_id``, ``order_id``, ``status``; ``limit``/``offset``),
  ``POST /invoices`` ``{order_id, kind, shipment_id?, lines?: [{order_line_id, quantity}]}``
  (201), ``GET /invoices/{id}``, ``POST /invoices/{id}/issue`` ``{fapiao_number?}``,
  ``POST /invoices/{id}/fapiao`` ``{fapiao_number}``, ``POST /invoices/{id}/void``
  ``{reason}``, ``POST /invoices/{id}/credit-notes`` ``{reason, lines?: [{invoice_line_id,
  quantity}]}`` (201), ``POST /invoices/{id}/apply-deposit`` (the order's paid deposit moves
  to the invoice).
- ``GET|POST /payments/deposit-requests`` ``{order_id, percent? | amount?, due_on?}``,
  ``POST /payments/deposit-requests/{id}/cancel`` ``{reason}``.
- ``GET /payments`` (``customer_id``), ``POST /payments`` ``{customer_id, amount, method,
  reference, received_on, note?}`` (201), ``GET /payments/{id}``,
  ``POST /payments/{id}/allocations`` ``{invoice_id | deposit_request_id, amount}`` (201),
  ``POST /payments/{id}/auto-allocate``,
  ``POST /payments/{id}/allocations/{allocation_id}/reverse`` ``{reason}``.
- ``GET /customers/{id}/account``: balance, unallocated credit, open items, aging, exposure.
- ``GET /receivables/aging`` (``on``, ``customer_id``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from orderdesk.core.errors import NotAllowed, NotFound, ValidationFailed
from orderdesk.orders import selectors as order_selectors
from orderdesk.orders.schemas import OptionalDate, OptionalId, Text
from orderdesk.shipping.models import Shipment

from . import selectors, services
from .models import Allocation, CreditNote, DepositRequest, Invoice, Payment

invoices_router = Router(tags=["billing"])
payments_router = Router(tags=["billing"])
customer_account_router = Router(tags=["billing"])
receivables_router = Router(tags=["billing"])

MAX_ID = 2**63 - 1


# --- schemas --------------------------------------------------------------------------------


class InvoiceLineIn(Schema):
    order_line_id: int = Field(..., ge=1, le=MAX_ID)
    quantity: Text = Field(..., max_length=30)


class InvoiceIn(Schema):
    order_id: int = Field(..., ge=1, le=MAX_ID)
    kind: Text = Field("ordinary", max_length=10, description="special (专票) or ordinary (普票)")
    shipment_id: OptionalId = None
    lines: list[InvoiceLineIn] | None = Field(None, description="Default: all invoiceable.")


class IssueIn(Schema):
    fapiao_number: Text = Field("", max_length=40)


class FapiaoIn(Schema):
    fapiao_number: Text = Field(..., max_length=40)


class ReasonIn(Schema):
    reason: Text = Field("", max_length=1000)


class CreditLineIn(Schema):
    invoice_line_id: int = Field(..., ge=1, le=MAX_ID)
    quantity: Text = Field(..., max_length=30)


class CreditNoteIn(Schema):
    reason: Text = Field("", max_length=1000)
    lines: list[CreditLineIn] | None = None


class InvoiceFilter(Schema):
    customer_id: OptionalId = None
    order_id: OptionalId = None
    status: Text = Field("", max_length=10)
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class InvoiceLineOut(Schema):
    id: int
    line_no: int
    order_line_id: int
    sku: str
    name: str
    spec: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal
    net_amount: Decimal
    tax_amount: Decimal
    gross_amount: Decimal


class RateTotalOut(Schema):
    tax_rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


class CreditNoteOut(Schema):
    id: int
    number: str
    invoice_id: int
    issued_on: dt.date
    reason: str
    net_amount: Decimal
    tax_amount: Decimal
    gross_amount: Decimal


class InvoiceOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    customer_id: int
    customer_name: str
    order_id: int
    order_number: str
    shipment_id: int | None
    shipment_number: str
    buyer_title: str
    buyer_tax_number: str
    buyer_address_phone: str
    buyer_bank_account: str
    issued_on: dt.date | None
    due_on: dt.date | None
    fapiao_number: str | None
    net_amount: Decimal
    tax_amount: Decimal
    gross_amount: Decimal
    credited_amount: Decimal
    paid_amount: Decimal
    open_amount: Decimal
    void_reason: str
    lines: list[InvoiceLineOut]
    tax_totals: list[RateTotalOut]
    credit_notes: list[CreditNoteOut]


class InvoiceListOut(Schema):
    count: int
    items: list[InvoiceOut]


class DepositRequestIn(Schema):
    order_id: int = Field(..., ge=1, le=MAX_ID)
    percent: Text | None = Field(None, max_length=20)
    amount: Text | None = Field(None, max_length=30)
    due_on: OptionalDate = None


class DepositRequestOut(Schema):
    id: int
    order_id: int
    order_number: str
    customer_id: int
    percent: Decimal | None
    amount: Decimal
    due_on: dt.date
    status: str
    paid_amount: Decimal
    open_amount: Decimal


class DepositRequestListOut(Schema):
    count: int
    items: list[DepositRequestOut]


class DepositFilter(Schema):
    order_id: OptionalId = None
    customer_id: OptionalId = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class PaymentIn(Schema):
    customer_id: int = Field(..., ge=1, le=MAX_ID)
    amount: Text = Field(..., max_length=30)
    method: Text = Field(..., max_length=20)
    reference: Text = Field("", max_length=100)
    received_on: OptionalDate = None
    note: Text = Field("", max_length=1000)


class AllocationIn(Schema):
    invoice_id: OptionalId = None
    deposit_request_id: OptionalId = None
    amount: Text = Field(..., max_length=30)


class AllocationOut(Schema):
    id: int
    payment_id: int
    invoice_id: int | None
    invoice_number: str
    deposit_request_id: int | None
    amount: Decimal
    created_at: dt.datetime
    reversed_at: dt.datetime | None
    reverse_reason: str


class PaymentOut(Schema):
    id: int
    number: str
    customer_id: int
    customer_name: str
    amount: Decimal
    method: str
    reference: str
    received_on: dt.date
    note: str
    allocated_amount: Decimal
    unallocated_amount: Decimal
    allocations: list[AllocationOut]


class PaymentListOut(Schema):
    count: int
    items: list[PaymentOut]


class PaymentFilter(Schema):
    customer_id: OptionalId = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class BucketsOut(Schema):
    not_due: Decimal
    d1_30: Decimal
    d31_60: Decimal
    d61_90: Decimal
    over_90: Decimal
    total: Decimal


class CustomerAgingOut(BucketsOut):
    customer_id: int
    code: str
    name: str


class AgingOut(Schema):
    on: dt.date
    customers: list[CustomerAgingOut]
    total: BucketsOut


class OpenItemOut(Schema):
    kind: str
    id: int
    number: str
    order_id: int
    due_on: dt.date | None
    amount: Decimal
    open_amount: Decimal
    days_overdue: int


class AccountOut(Schema):
    customer_id: int
    customer: str
    balance: Decimal
    unallocated_credit: Decimal
    open_receivables: Decimal
    exposure: Decimal
    open_items: list[OpenItemOut]
    aging: BucketsOut


class AgingFilter(Schema):
    on: OptionalDate = None
    customer_id: OptionalId = None


# --- rendering ------------------------------------------------------------------------------


# What an invoice's or a payment's answer reads besides the row: one query each per page.
INVOICE_RELATED = ("customer", "order", "shipment")
INVOICE_PARTS = ("lines", Prefetch("credit_notes", queryset=CreditNote.objects.order_by("id")))
PAYMENT_PARTS = (
    Prefetch("allocations", queryset=Allocation.objects.select_related("invoice").order_by("id")),
)


def invoice_out(invoice: Invoice, *, loaded: bool = False) -> dict[str, Any]:
    """The API form of an invoice, read afresh; ``loaded``: it comes from a list read with
    ``INVOICE_RELATED`` and ``INVOICE_PARTS`` (no query per row)."""
    if not loaded:
        invoice = (
            Invoice.objects.select_related(*INVOICE_RELATED)
            .prefetch_related(*INVOICE_PARTS)
            .get(pk=invoice.pk)
        )
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "kind": invoice.kind,
        "status": invoice.status,
        "customer_id": invoice.customer_id,
        "customer_name": invoice.customer.name,
        "order_id": invoice.order_id,
        "order_number": invoice.order.number,
        "shipment_id": invoice.shipment_id,
        "shipment_number": invoice.shipment.number if invoice.shipment else "",
        "buyer_title": invoice.buyer_title,
        "buyer_tax_number": invoice.buyer_tax_number,
        "buyer_address_phone": invoice.buyer_address_phone,
        "buyer_bank_account": invoice.buyer_bank_account,
        "issued_on": invoice.issued_on,
        "due_on": invoice.due_on,
        "fapiao_number": invoice.fapiao_number,
        "net_amount": invoice.net_amount,
        "tax_amount": invoice.tax_amount,
        "gross_amount": invoice.gross_amount,
        "credited_amount": invoice.credited_amount,
        "paid_amount": invoice.allocated_amount,
        "open_amount": invoice.open_amount,
        "void_reason": invoice.void_reason,
        "lines": list(invoice.lines.all()),
        "tax_totals": selectors.totals_per_rate(invoice),
        "credit_notes": list(invoice.credit_notes.all()),
    }


def deposit_out(request: DepositRequest) -> dict[str, Any]:
    return {
        "id": request.pk,
        "order_id": request.order_id,
        "order_number": request.order.number,
        "customer_id": request.customer_id,
        "percent": request.percent,
        "amount": request.amount,
        "due_on": request.due_on,
        "status": request.status,
        "paid_amount": request.allocated_amount,
        "open_amount": request.open_amount,
    }


def allocation_out(allocation: Allocation) -> dict[str, Any]:
    return {
        "id": allocation.pk,
        "payment_id": allocation.payment_id,
        "invoice_id": allocation.invoice_id,
        "invoice_number": allocation.invoice.number if allocation.invoice else "",
        "deposit_request_id": allocation.deposit_request_id,
        "amount": allocation.amount,
        "created_at": allocation.created_at,
        "reversed_at": allocation.reversed_at,
        "reverse_reason": allocation.reverse_reason,
    }


def payment_out(payment: Payment, *, loaded: bool = False) -> dict[str, Any]:
    """The API form of a payment, read afresh; ``loaded``: it comes from a list read with its
    customer and ``PAYMENT_PARTS`` (no query per row)."""
    if not loaded:
        payment = (
            Payment.objects.select_related("customer")
            .prefetch_related(*PAYMENT_PARTS)
            .get(pk=payment.pk)
        )
    return {
        "id": payment.pk,
        "number": payment.number,
        "customer_id": payment.customer_id,
        "customer_name": payment.customer.name,
        "amount": payment.amount,
        "method": payment.method,
        "reference": payment.reference,
        "received_on": payment.received_on,
        "note": payment.note,
        "allocated_amount": payment.allocated_amount,
        "unallocated_amount": payment.unallocated_amount,
        "allocations": [allocation_out(a) for a in payment.allocations.all()],
    }


def require_viewer(user: Any) -> None:
    if not selectors.can_view(user):
        raise NotAllowed(
            _("You do not have permission to see receivables."), code="permission_denied"
        )


def lines_of(rows: list[Any] | None) -> list[dict[str, Any]] | None:
    return [row.dict() for row in rows] if rows is not None else None


# --- /invoices ------------------------------------------------------------------------------


@invoices_router.get("", response=InvoiceListOut, summary="Invoices")
def list_invoices(request: HttpRequest, filters: Query[InvoiceFilter]) -> dict[str, Any]:
    require_viewer(request.user)
    invoices = selectors.invoices_visible_to(request.user).order_by("-id")
    if filters.customer_id:
        invoices = invoices.filter(customer_id=filters.customer_id)
    if filters.order_id:
        invoices = invoices.filter(order_id=filters.order_id)
    if filters.status:
        invoices = invoices.filter(status=filters.status)
    page = invoices.select_related(*INVOICE_RELATED).prefetch_related(*INVOICE_PARTS)
    rows = list(page[filters.offset : filters.offset + filters.limit])
    return {"count": invoices.count(), "items": [invoice_out(row, loaded=True) for row in rows]}


@invoices_router.post("", response={201: InvoiceOut}, summary="Create a draft invoice")
def create_invoice(request: HttpRequest, payload: InvoiceIn) -> Status[dict[str, Any]]:
    order = order_selectors.order_for(request.user, payload.order_id)
    shipment = None
    if payload.shipment_id is not None:
        shipment = Shipment.objects.filter(pk=payload.shipment_id, order=order).first()
        if shipment is None:
            raise ValidationFailed(
                _("The shipment belongs to another order."),
                code="invalid_input",
                fields={"shipment_id": _("Not a shipment of this order.")},
            )
    invoice = services.create_invoice(
        order, payload.kind, by=request.user, shipment=shipment, lines=lines_of(payload.lines)
    )
    return Status(201, invoice_out(invoice))


@invoices_router.get("/{invoice_id}", response=InvoiceOut, summary="One invoice")
def get_invoice(request: HttpRequest, invoice_id: int) -> dict[str, Any]:
    return invoice_out(selectors.invoice_for(request.user, invoice_id))


@invoices_router.post("/{invoice_id}/issue", response=InvoiceOut, summary="Issue a draft")
def issue_invoice(request: HttpRequest, invoice_id: int, payload: IssueIn) -> dict[str, Any]:
    invoice = selectors.invoice_for(request.user, invoice_id)
    services.issue_invoice(invoice, by=request.user, fapiao_number=payload.fapiao_number or None)
    return invoice_out(invoice)


@invoices_router.post(
    "/{invoice_id}/fapiao", response=InvoiceOut, summary="Record the tax system's number"
)
def record_fapiao(request: HttpRequest, invoice_id: int, payload: FapiaoIn) -> dict[str, Any]:
    invoice = selectors.invoice_for(request.user, invoice_id)
    services.record_fapiao_number(invoice, payload.fapiao_number, by=request.user)
    return invoice_out(invoice)


@invoices_router.post("/{invoice_id}/void", response=InvoiceOut, summary="Void with a reason")
def void_invoice(request: HttpRequest, invoice_id: int, payload: ReasonIn) -> dict[str, Any]:
    invoice = selectors.invoice_for(request.user, invoice_id)
    services.void_invoice(invoice, reason=payload.reason, by=request.user)
    return invoice_out(invoice)


@invoices_router.post(
    "/{invoice_id}/credit-notes", response={201: CreditNoteOut}, summary="Credit note (红字发票)"
)
def create_credit_note(request: HttpRequest, invoice_id: int, payload: CreditNoteIn) -> Status[Any]:
    invoice = selectors.invoice_for(request.user, invoice_id)
    note = services.create_credit_note(
        invoice, reason=payload.reason, by=request.user, lines=lines_of(payload.lines)
    )
    return Status(201, note)


@invoices_router.post(
    "/{invoice_id}/apply-deposit",
    response=InvoiceOut,
    summary="Apply the order's paid deposit (定金抵扣)",
)
def apply_deposit(request: HttpRequest, invoice_id: int) -> dict[str, Any]:
    invoice = selectors.invoice_for(request.user, invoice_id)
    services.apply_deposit(invoice, by=request.user)
    return invoice_out(invoice)


# --- /payments/deposit-requests -------------------------------------------------------------


@payments_router.get(
    "/deposit-requests", response=DepositRequestListOut, summary="Deposit requests (定金)"
)
def list_deposit_requests(request: HttpRequest, filters: Query[DepositFilter]) -> dict[str, Any]:
    require_viewer(request.user)
    requests = (
        selectors.deposit_requests_visible_to(request.user).select_related("order").order_by("-id")
    )
    if filters.order_id:
        requests = requests.filter(order_id=filters.order_id)
    if filters.customer_id:
        requests = requests.filter(customer_id=filters.customer_id)
    rows = list(requests[filters.offset : filters.offset + filters.limit])
    return {"count": requests.count(), "items": [deposit_out(row) for row in rows]}


@payments_router.post(
    "/deposit-requests", response={201: DepositRequestOut}, summary="Request a deposit"
)
def create_deposit_request(
    request: HttpRequest, payload: DepositRequestIn
) -> Status[dict[str, Any]]:
    order = order_selectors.order_for(request.user, payload.order_id)
    found = services.request_deposit(
        order,
        by=request.user,
        percent=payload.percent or None,
        amount=payload.amount or None,
        due_on=payload.due_on,
    )
    return Status(201, deposit_out(found))


@payments_router.post(
    "/deposit-requests/{request_id}/cancel",
    response=DepositRequestOut,
    summary="Cancel a deposit request",
)
def cancel_deposit_request(
    request: HttpRequest, request_id: int, payload: ReasonIn
) -> dict[str, Any]:
    found = selectors.deposit_request_for(request.user, request_id)
    services.cancel_deposit_request(found, reason=payload.reason, by=request.user)
    found.refresh_from_db()
    return deposit_out(found)


# --- /payments ------------------------------------------------------------------------------


@payments_router.get("", response=PaymentListOut, summary="Payments received")
def list_payments(request: HttpRequest, filters: Query[PaymentFilter]) -> dict[str, Any]:
    require_viewer(request.user)
    payments = selectors.payments_visible_to(request.user).order_by("-id")
    if filters.customer_id:
        payments = payments.filter(customer_id=filters.customer_id)
    page = payments.select_related("customer").prefetch_related(*PAYMENT_PARTS)
    rows = list(page[filters.offset : filters.offset + filters.limit])
    return {"count": payments.count(), "items": [payment_out(row, loaded=True) for row in rows]}


@payments_router.post("", response={201: PaymentOut}, summary="Record a payment received")
def create_payment(request: HttpRequest, payload: PaymentIn) -> Status[dict[str, Any]]:
    customer = selectors.customer_for(request.user, payload.customer_id)
    payment = services.record_payment(
        customer,
        amount=payload.amount,
        method=payload.method,
        received_on=payload.received_on,
        reference=payload.reference,
        note=payload.note,
        by=request.user,
    )
    return Status(201, payment_out(payment))


@payments_router.get("/{payment_id}", response=PaymentOut, summary="One payment")
def get_payment(request: HttpRequest, payment_id: int) -> dict[str, Any]:
    return payment_out(selectors.payment_for(request.user, payment_id))


@payments_router.post(
    "/{payment_id}/allocations", response={201: AllocationOut}, summary="Allocate (核销)"
)
def allocate(request: HttpRequest, payment_id: int, payload: AllocationIn) -> Status[Any]:
    payment = selectors.payment_for(request.user, payment_id)
    if (payload.invoice_id is None) == (payload.deposit_request_id is None):
        raise ValidationFailed(
            _("Give either an invoice or a deposit request."),
            code="invalid_input",
            fields={"invoice_id": _("Give exactly one target.")},
        )
    target: Invoice | DepositRequest
    if payload.invoice_id is not None:
        target = selectors.invoice_for(request.user, payload.invoice_id)
    else:
        target = selectors.deposit_request_for(request.user, payload.deposit_request_id or 0)
    allocation = services.allocate(payment, target, payload.amount, by=request.user)
    return Status(201, allocation_out(allocation))


@payments_router.post(
    "/{payment_id}/auto-allocate", response=PaymentOut, summary="Allocate oldest due first"
)
def auto_allocate(request: HttpRequest, payment_id: int) -> dict[str, Any]:
    payment = selectors.payment_for(request.user, payment_id)
    services.auto_allocate(payment, by=request.user)
    return payment_out(payment)


@payments_router.post(
    "/{payment_id}/allocations/{allocation_id}/reverse",
    response=AllocationOut,
    summary="Reverse an allocation",
)
def reverse_allocation(
    request: HttpRequest, payment_id: int, allocation_id: int, payload: ReasonIn
) -> dict[str, Any]:
    payment = selectors.payment_for(request.user, payment_id)
    allocation = Allocation.objects.filter(pk=allocation_id, payment=payment).first()
    if allocation is None:
        raise NotFound(_("No such allocation."), code="allocation_not_found")
    services.reverse_allocation(allocation, reason=payload.reason, by=request.user)
    allocation.refresh_from_db()
    return allocation_out(allocation)


# --- accounts and aging ---------------------------------------------------------------------


@customer_account_router.get(
    "/{customer_id}/account", response=AccountOut, summary="Customer account"
)
def customer_account(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    customer = selectors.customer_for(request.user, customer_id)
    return selectors.account(customer)


@receivables_router.get("/aging", response=AgingOut, summary="Receivables aging")
def receivables_aging(request: HttpRequest, filters: Query[AgingFilter]) -> dict[str, Any]:
    require_viewer(request.user)
    customer = (
        selectors.customer_for(request.user, filters.customer_id) if filters.customer_id else None
    )
    return selectors.aging(on=filters.on, customer=customer, user=request.user)
