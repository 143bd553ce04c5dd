"""Writes for billing, one public function per use case.

Every function checks the permission, validates everything before it writes (a refusal
leaves nothing behind), runs in one transaction and records an audit entry. Rows whose
running totals change are locked with ``select_for_update`` in one fixed order — payment
first, then the invoice or deposit request, targets by (due date, id) — so two clerks
allocating at once queue instead of over-allocating or deadlocking.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.core import audit, permissions
from orderdesk.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from orderdesk.core.money import as_decimal, to_fen
from orderdesk.core.numbering import next_number
from orderdesk.core.reasons import require_reason
from orderdesk.customers.models import Customer, GradeTerms
from orderdesk.orders.models import Order, OrderLine, OrderStatus, PaymentMethod
from orderdesk.orders.services.releasing import deposit_required
from orderdesk.shipping.models import SENT, Shipment

from . import selectors
from .models import (
    Allocation,
    CreditNote,
    CreditNoteLine,
    DepositRequest,
    DepositStatus,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoicePer,
    InvoiceStatus,
    Payment,
)

ZERO = Decimal(0)
HUNDRED = Decimal(100)
ISSUE, PAYMENTS = "billing.issue_invoices", "billing.record_payments"
SETTINGS = "billing.manage_billing_settings"
INVOICEABLE_STATUSES = (*selectors.EXPOSED_STATUSES, OrderStatus.COMPLETED)
DEPOSIT_STATUSES = (
    OrderStatus.IN_REVIEW,
    OrderStatus.RETURNED,
    *selectors.EXPOSED_STATUSES,
    OrderStatus.ON_HOLD,
)


def invalid(message: Any, fields: dict[str, Any], code: str = "invalid_input") -> ValidationFailed:
    return ValidationFailed(message, code=code, fields=fields)


def parse_amount(value: Any, name: str, errors: dict[str, str]) -> Decimal:
    """A positive amount exact to the fen, else an error under ``name``."""
    number = as_decimal(value) if value is not None and not isinstance(value, bool) else None
    if number is None:
        errors[name] = _("Enter an amount in yuan, e.g. 1280.50.")
        return ZERO
    if number <= 0:
        errors[name] = _("The amount must be greater than zero.")
        return ZERO
    if number != to_fen(number):
        errors[name] = _("Amounts are exact to the fen (two decimals).")
        return ZERO
    if number >= Decimal("1e12"):
        errors[name] = _("The amount is too large.")
        return ZERO
    return to_fen(number)


def parse_quantity(value: Any, name: str, errors: dict[str, str]) -> Decimal:
    number = as_decimal(value) if value is not None and not isinstance(value, bool) else None
    if number is None or number <= 0:
        errors[name] = _("Enter a quantity greater than zero.")
        return ZERO
    if number != number.quantize(Decimal("0.001")) or number >= Decimal("1e11"):
        errors[name] = _("Quantities have at most three decimals.")
        return ZERO
    return number


# --- settings -------------------------------------------------------------------------------


def update_settings(*, by: Any, invoice_per: Any = None, default_due_days: Any = None) -> Any:
    permissions.require(by, SETTINGS)
    errors: dict[str, str] = {}
    if invoice_per is not None and invoice_per not in InvoicePer.values:
        errors["invoice_per"] = _("Choose order or shipment.")
    days = None
    if default_due_days is not None:
        days = as_decimal(default_due_days)
        if days is None or days != int(days) or not 0 <= days <= 365:
            errors["default_due_days"] = _("Enter a number of days from 0 to 365.")
    if errors:
        raise invalid(_("Some settings are invalid."), errors)
    with transaction.atomic():
        current = selectors.billing_settings()
        current = type(current).objects.select_for_update().get(pk=current.pk)
        changes: dict[str, tuple[Any, Any]] = {}
        if invoice_per is not None and invoice_per != current.invoice_per:
            changes["invoice_per"] = (current.invoice_per, invoice_per)
            current.invoice_per = invoice_per
        if days is not None and int(days) != current.default_due_days:
            changes["default_due_days"] = (current.default_due_days, int(days))
            current.default_due_days = int(days)
        current.save()
        audit.record(current, "billing_settings_changed", by=by, changes=changes)
    return current


# --- invoices -------------------------------------------------------------------------------


def due_days(customer: Customer) -> int:
    """The customer's settlement days (from the terms of their credit grade), else the
    company default."""
    credit = getattr(customer, "credit", None)
    if credit is not None:
        terms = GradeTerms.objects.filter(grade=credit.grade).first()
        if terms is not None:
            return int(terms.settlement_days)
    return int(selectors.billing_settings().default_due_days)


def buyer_of(customer: Customer, kind: str) -> dict[str, str]:
    """The buyer block of the invoice; a special invoice needs every part of it."""
    address = "".join((customer.province, customer.city, customer.district, customer.address))
    if kind == InvoiceKind.SPECIAL:
        missing = {
            name: _("Required for a VAT special invoice; complete the customer's record.")
            for name, value in (
                ("tax_number", customer.tax_number),
                ("address", customer.address),
                ("phone", customer.phone),
                ("bank_name", customer.bank_name),
                ("bank_account", customer.bank_account),
            )
            if not (value or "").strip()
        }
        if missing:
            raise ValidationFailed(
                _("The customer lacks the tax data a VAT special invoice needs: %(fields)s.")
                % {"fields": ", ".join(missing)},
                code="customer_tax_data_missing",
                fields=missing,
            )
    return {
        "buyer_title": (customer.invoice_title or customer.name)[:200],
        "buyer_tax_number": customer.tax_number,
        "buyer_address_phone": f"{address} {customer.phone}".strip()[:240],
        "buyer_bank_account": f"{customer.bank_name} {customer.bank_account}".strip()[:150],
    }


def requested_lines(
    order: Order, lines: list[dict[str, Any]] | None, left: dict[int, Decimal]
) -> list[tuple[OrderLine, Decimal]]:
    """``[(order line, quantity)]`` to invoice; refuses anything above what is invoiceable."""
    order_lines = {line.pk: line for line in OrderLine.objects.filter(order=order)}
    if lines is None:
        chosen = [
            (order_lines[pk], quantity)
            for pk, quantity in left.items()
            if quantity > 0 and pk in order_lines
        ]
        if not chosen:
            raise Conflict(
                _("Nothing is left to invoice on this order or shipment."),
                code="nothing_to_invoice",
            )
        return sorted(chosen, key=lambda pair: pair[0].line_no)
    errors: dict[str, str] = {}
    chosen = []
    seen: set[int] = set()
    if not lines:
        raise invalid(_("Give at least one line."), {"lines": _("No lines.")})
    for index, row in enumerate(lines):
        raw_id = row.get("order_line_id") if isinstance(row, dict) else None
        line = order_lines.get(raw_id) if isinstance(raw_id, int) else None
        if line is None:
            errors[f"lines.{index}.order_line_id"] = _("Not a line of this order.")
            continue
        if line.pk in seen:
            errors[f"lines.{index}.order_line_id"] = _("This line is given twice.")
            continue
        seen.add(line.pk)
        quantity = parse_quantity(row.get("quantity"), f"lines.{index}.quantity", errors)
        if quantity <= 0:
            continue
        if quantity > left.get(line.pk, ZERO):
            errors[f"lines.{index}.quantity"] = _(
                "Line %(no)s: at most %(left)s %(unit)s can still be invoiced."
            ) % {"no": line.line_no, "left": left.get(line.pk, ZERO), "unit": line.unit}
            continue
        chosen.append((line, quantity))
    if errors:
        raise ValidationFailed(
            _("Some lines cannot be invoiced as given."), code="over_invoicing", fields=errors
        )
    return sorted(chosen, key=lambda pair: pair[0].line_no)


def line_amounts(
    line: OrderLine, quantity: Decimal, invoiced: dict[str, Decimal]
) -> tuple[Decimal, Decimal, Decimal]:
    """Net, tax and gross for ``quantity`` of ``line``: its share, or exactly what is left
    when the rest of the line is invoiced, so a fully invoiced line adds up to the fen."""
    if quantity == line.quantity - invoiced.get("quantity", ZERO):
        return (
            line.net_amount - invoiced.get("net", ZERO),
            line.tax_amount - invoiced.get("tax", ZERO),
            line.line_total - invoiced.get("gross", ZERO),
        )
    gross = to_fen(line.line_total * quantity / line.quantity)
    tax = to_fen(line.tax_amount * quantity / line.quantity)
    return gross - tax, tax, gross


def next_uninvoiced_shipment(order: Order) -> Shipment:
    """The oldest shipped shipment of the order with something left to invoice."""
    shipments = list(
        Shipment.objects.filter(order=order, status__in=SENT).order_by("shipped_at", "id")
    )
    if not shipments:
        raise invalid(
            _("The company invoices per shipment and this order has shipped nothing yet."),
            {"shipment_id": _("Name a shipped shipment, or give the lines to invoice.")},
            code="shipment_required",
        )
    for shipment in shipments:
        if any(
            quantity > 0 for quantity in selectors.invoiceable(order, shipment=shipment).values()
        ):
            return shipment
    raise Conflict(
        _("Every shipment of this order is invoiced already."), code="nothing_to_invoice"
    )


def create_invoice(
    order: Order,
    kind: str,
    *,
    by: Any,
    shipment: Shipment | None = None,
    lines: list[dict[str, Any]] | None = None,
) -> Invoice:
    """A draft invoice for the order, or for one shipment of it; ``lines`` default to
    everything still invoiceable. With neither a shipment nor lines, the company setting
    ``invoice_per`` decides: the whole order, or the oldest shipped shipment not yet fully
    invoiced. Explicit lines without a shipment invoice against the order."""
    permissions.require(by, ISSUE)
    if kind not in InvoiceKind.values:
        raise invalid(
            _("Choose a VAT special or ordinary invoice."),
            {"kind": _("special or ordinary")},
        )
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("customer")
            .get(pk=order.pk)
        )
        if order.status not in INVOICEABLE_STATUSES:
            raise InvalidTransition(
                _("Only approved orders can be invoiced; this one is %(status)s.")
                % {"status": order.get_status_display()},
                code="order_not_invoiceable",
            )
        if shipment is not None:
            shipment = Shipment.objects.filter(pk=shipment.pk, order=order).first()
            if shipment is None:
                raise invalid(
                    _("The shipment belongs to another order."),
                    {"shipment_id": _("Not a shipment of this order.")},
                )
            if shipment.status not in SENT:
                raise invalid(
                    _("Only shipped or delivered shipments can be invoiced."),
                    {"shipment_id": _("This shipment has not been shipped.")},
                    code="shipment_not_shipped",
                )
        elif selectors.billing_settings().invoice_per == InvoicePer.SHIPMENT and lines is None:
            shipment = next_uninvoiced_shipment(order)
        buyer = buyer_of(order.customer, kind)
        left = selectors.invoiceable(order, shipment=shipment)
        chosen = requested_lines(order, lines, left)
        invoiced = selectors.invoiced_by_line(order)
        invoice = Invoice.objects.create(
            number=next_number("invoice"),
            kind=kind,
            customer=order.customer,
            order=order,
            shipment=shipment,
            created_by=by,
            **buyer,
        )
        rows = []
        for line_no, (line, quantity) in enumerate(chosen, start=1):
            net, tax, gross = line_amounts(line, quantity, invoiced.get(line.pk, {}))
            rows.append(
                InvoiceLine(
                    invoice=invoice,
                    order_line=line,
                    line_no=line_no,
                    sku=line.sku,
                    name=line.name,
                    spec=line.spec,
                    unit=line.unit,
                    quantity=quantity,
                    unit_price=(net / quantity).quantize(Decimal("0.000001")),
                    tax_rate=line.tax_rate,
                    net_amount=net,
                    tax_amount=tax,
                    gross_amount=gross,
                )
            )
        InvoiceLine.objects.bulk_create(rows)
        invoice.net_amount = sum((row.net_amount for row in rows), ZERO)
        invoice.tax_amount = sum((row.tax_amount for row in rows), ZERO)
        invoice.gross_amount = sum((row.gross_amount for row in rows), ZERO)
        invoice.save(update_fields=["net_amount", "tax_amount", "gross_amount"])
        audit.record(
            invoice,
            "invoice_created",
            by=by,
            changes={
                "order": (None, order.number),
                "shipment": (None, shipment.number if shipment else None),
                "gross_amount": (None, invoice.gross_amount),
            },
        )
    return invoice


def lock_invoice(invoice: Invoice | int) -> Invoice:
    pk = invoice if isinstance(invoice, int) else invoice.pk
    found = Invoice.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such invoice."), code="invoice_not_found")
    return found


def clean_fapiao(number: Any, invoice: Invoice) -> str:
    text = str(number or "").strip()
    if not text or len(text) > 40 or not text.isalnum():
        raise invalid(
            _("Enter the fapiao number from the tax system (letters and digits)."),
            {"fapiao_number": _("Letters and digits as printed on the fapiao.")},
        )
    if Invoice.objects.filter(fapiao_number=text).exclude(pk=invoice.pk).exists():
        raise Conflict(
            _("Fapiao number %(number)s is already recorded on another invoice.")
            % {"number": text},
            code="fapiao_number_taken",
            fields={"fapiao_number": _("Already used.")},
        )
    return text


def save_fapiao(invoice: Invoice, fields: list[str]) -> None:
    try:
        with transaction.atomic():
            invoice.save(update_fields=fields)
    except IntegrityError as error:
        raise Conflict(
            _("That fapiao number is already recorded on another invoice."),
            code="fapiao_number_taken",
            fields={"fapiao_number": _("Already used.")},
        ) from error


def issue_invoice(invoice: Invoice, *, by: Any, fapiao_number: Any = None) -> Invoice:
    """Draft → issued: sets the issue date and the due date from the customer's terms."""
    permissions.require(by, ISSUE)
    with transaction.atomic():
        invoice = lock_invoice(invoice)
        if invoice.status != InvoiceStatus.DRAFT:
            raise InvalidTransition(
                _("Only a draft invoice can be issued; this one is %(status)s.")
                % {"status": invoice.get_status_display()},
                code="invoice_not_draft",
            )
        fapiao = clean_fapiao(fapiao_number, invoice) if fapiao_number else None
        today = timezone.localdate()
        invoice.status = InvoiceStatus.ISSUED
        invoice.issued_on = today
        invoice.due_on = today + dt.timedelta(days=due_days(invoice.customer))
        invoice.issued_by = by
        invoice.fapiao_number = fapiao
        save_fapiao(invoice, ["status", "issued_on", "due_on", "issued_by", "fapiao_number"])
        audit.record(
            invoice,
            "invoice_issued",
            by=by,
            changes={
                "status": (InvoiceStatus.DRAFT, InvoiceStatus.ISSUED),
                "due_on": (None, invoice.due_on),
                "fapiao_number": (None, fapiao),
            },
        )
    return invoice


def record_fapiao_number(invoice: Invoice, number: Any, *, by: Any) -> Invoice:
    """The number the tax system gave the issued fapiao (entered or imported)."""
    permissions.require(by, ISSUE)
    with transaction.atomic():
        invoice = lock_invoice(invoice)
        if invoice.status != InvoiceStatus.ISSUED:
            raise InvalidTransition(
                _("Only an issued invoice has a fapiao number."), code="invoice_not_issued"
            )
        fapiao = clean_fapiao(number, invoice)
        old = invoice.fapiao_number
        invoice.fapiao_number = fapiao
        save_fapiao(invoice, ["fapiao_number"])
        audit.record(
            invoice, "fapiao_number_recorded", by=by, changes={"fapiao_number": (old, fapiao)}
        )
    return invoice


def void_invoice(invoice: Invoice, *, reason: Any, by: Any) -> Invoice:
    """Void a draft or issued invoice; it stays on record and its quantities become
    invoiceable again. Refused while payments are allocated to it or credit notes exist."""
    permissions.require(by, ISSUE)
    text = require_reason(reason)
    with transaction.atomic():
        invoice = lock_invoice(invoice)
        if invoice.status == InvoiceStatus.VOID:
            raise InvalidTransition(_("The invoice is already void."), code="invoice_void")
        if invoice.allocated_amount > 0:
            raise Conflict(
                _("Payments are allocated to this invoice: reverse the payment allocation first."),
                code="invoice_paid",
            )
        if invoice.credited_amount > 0:
            raise Conflict(
                _("Credit notes reverse part of this invoice; credit the rest instead."),
                code="invoice_credited",
            )
        old = invoice.status
        invoice.status = InvoiceStatus.VOID
        invoice.void_reason = text
        invoice.voided_at = timezone.now()
        invoice.save(update_fields=["status", "void_reason", "voided_at"])
        audit.record(
            invoice, "invoice_voided", by=by, changes={"status": (old, "void")}, reason=text
        )
    return invoice


def credit_lines(
    invoice: Invoice, lines: list[dict[str, Any]] | None
) -> list[tuple[InvoiceLine, Decimal, Decimal, Decimal, Decimal]]:
    """``[(invoice line, quantity, net, tax, gross)]`` to credit (default: all not credited)."""
    invoice_lines = {line.pk: line for line in invoice.lines.all()}
    credited: dict[int, dict[str, Decimal]] = {}
    done_rows: Any = CreditNoteLine.objects.filter(invoice_line__invoice=invoice).values(
        "invoice_line_id", "quantity", "net_amount", "tax_amount", "gross_amount"
    )
    for row in done_rows:
        entry = credited.setdefault(
            row["invoice_line_id"], {"quantity": ZERO, "net": ZERO, "tax": ZERO, "gross": ZERO}
        )
        entry["quantity"] += row["quantity"]
        entry["net"] += row["net_amount"]
        entry["tax"] += row["tax_amount"]
        entry["gross"] += row["gross_amount"]

    def left_of(line: InvoiceLine) -> Decimal:
        return line.quantity - credited.get(line.pk, {}).get("quantity", ZERO)

    if lines is None:
        wanted = [(line, left_of(line)) for line in invoice_lines.values() if left_of(line) > 0]
    else:
        if not lines:
            raise invalid(_("Give at least one line."), {"lines": _("No lines.")})
        errors: dict[str, str] = {}
        wanted = []
        seen: set[int] = set()
        for index, row in enumerate(lines):
            raw_id = row.get("invoice_line_id") if isinstance(row, dict) else None
            line = invoice_lines.get(raw_id) if isinstance(raw_id, int) else None
            if line is None or line.pk in seen:
                errors[f"lines.{index}.invoice_line_id"] = _("Not a line of this invoice.")
                continue
            seen.add(line.pk)
            quantity = parse_quantity(row.get("quantity"), f"lines.{index}.quantity", errors)
            if quantity > left_of(line):
                errors[f"lines.{index}.quantity"] = _(
                    "At most %(left)s can still be credited on this line."
                ) % {"left": left_of(line)}
            elif quantity > 0:
                wanted.append((line, quantity))
        if errors:
            raise ValidationFailed(
                _("Some lines cannot be credited as given."),
                code="over_crediting",
                fields=errors,
            )
    result = []
    for line, quantity in sorted(wanted, key=lambda pair: pair[0].line_no):
        done = credited.get(line.pk, {})
        if quantity == left_of(line):
            net = line.net_amount - done.get("net", ZERO)
            tax = line.tax_amount - done.get("tax", ZERO)
            gross = line.gross_amount - done.get("gross", ZERO)
        else:
            gross = to_fen(line.gross_amount * quantity / line.quantity)
            tax = to_fen(line.tax_amount * quantity / line.quantity)
            net = gross - tax
        result.append((line, quantity, net, tax, gross))
    return result


def create_credit_note(
    invoice: Invoice, *, reason: Any, by: Any, lines: list[dict[str, Any]] | None = None
) -> CreditNote:
    """A credit note (红字发票) reversing all or part of an issued invoice; it reduces the
    invoice's open amount and makes the quantities invoiceable again."""
    permissions.require(by, ISSUE)
    text = require_reason(reason)
    with transaction.atomic():
        invoice = lock_invoice(invoice)
        if invoice.status != InvoiceStatus.ISSUED:
            raise InvalidTransition(
                _("Only an issued invoice can be credited; void a draft instead."),
                code="invoice_not_issued",
            )
        rows = credit_lines(invoice, lines)
        if not rows:
            raise Conflict(_("The invoice is fully credited already."), code="nothing_to_credit")
        gross = sum((row[4] for row in rows), ZERO)
        if gross > invoice.open_amount:
            raise Conflict(
                _(
                    "The credit note (%(gross)s) exceeds what is open on the invoice "
                    "(%(open)s): reverse the payment allocation first."
                )
                % {"gross": gross, "open": invoice.open_amount},
                code="credit_exceeds_open",
            )
        note = CreditNote.objects.create(
            number=next_number("credit_note"),
            invoice=invoice,
            customer_id=invoice.customer_id,
            issued_on=timezone.localdate(),
            reason=text,
            net_amount=sum((row[2] for row in rows), ZERO),
            tax_amount=sum((row[3] for row in rows), ZERO),
            gross_amount=gross,
            created_by=by,
        )
        CreditNoteLine.objects.bulk_create(
            CreditNoteLine(
                credit_note=note,
                invoice_line=line,
                quantity=quantity,
                net_amount=net,
                tax_amount=tax,
                gross_amount=line_gross,
            )
            for line, quantity, net, tax, line_gross in rows
        )
        old = invoice.credited_amount
        invoice.credited_amount = old + gross
        invoice.save(update_fields=["credited_amount"])
        audit.record(
            note, "credit_note_created", by=by, changes={"gross_amount": (None, gross)}, reason=text
        )
        audit.record(
            invoice,
            "invoice_credited",
            by=by,
            changes={"credited_amount": (old, invoice.credited_amount)},
            reason=text,
        )
    return note


# --- deposits -------------------------------------------------------------------------------


def request_deposit(
    order: Order,
    *,
    by: Any,
    percent: Any = None,
    amount: Any = None,
    due_on: dt.date | None = None,
) -> DepositRequest:
    """A deposit request (定金): a percentage of the order total or an amount; the default
    is the order's deposit (its amount, else its percentage of the customer's terms)."""
    permissions.require(by, ISSUE)
    errors: dict[str, str] = {}
    if percent is not None and amount is not None:
        raise invalid(
            _("Give a percentage or an amount, not both."),
            {"percent": _("Leave one empty."), "amount": _("Leave one empty.")},
        )
    rate = None
    if percent is not None:
        rate = as_decimal(percent) if not isinstance(percent, bool) else None
        if rate is None or not ZERO < rate <= HUNDRED or rate != rate.quantize(Decimal("0.01")):
            errors["percent"] = _("Enter a percentage above 0 and at most 100.")
    value = parse_amount(amount, "amount", errors) if amount is not None else None
    today = timezone.localdate()
    if due_on is not None and due_on < today:
        errors["due_on"] = _("The due date cannot be in the past.")
    if errors:
        raise invalid(_("The deposit request is invalid."), errors)
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("customer")
            .get(pk=order.pk)
        )
        if order.status not in DEPOSIT_STATUSES:
            raise InvalidTransition(
                _("A deposit cannot be requested on an order that is %(status)s.")
                % {"status": order.get_status_display()},
                code="order_not_open",
            )
        if rate is not None:
            value = to_fen(order.total_amount * rate / HUNDRED)
        elif value is None:
            value = deposit_required(order)
            if order.deposit_percent and not order.deposit_amount:
                rate = order.deposit_percent
        if value is None or value <= 0:
            raise invalid(
                _("The order asks for no deposit: give a percentage or an amount."),
                {"amount": _("Required.")},
            )
        requested = selectors.total(
            DepositRequest.objects.filter(order=order, status=DepositStatus.OPEN), "amount"
        )
        if requested + value > order.total_amount:
            raise invalid(
                _(
                    "Deposits requested (%(requested)s + %(amount)s) cannot exceed the order "
                    "total %(total)s."
                )
                % {"requested": requested, "amount": value, "total": order.total_amount},
                {"amount": _("More than the order total.")},
                code="deposit_exceeds_total",
            )
        request = DepositRequest.objects.create(
            order=order,
            customer=order.customer,
            percent=rate,
            amount=value,
            due_on=due_on
            or today + dt.timedelta(days=selectors.billing_settings().deposit_due_days),
            created_by=by,
        )
        audit.record(
            request,
            "deposit_requested",
            by=by,
            changes={"amount": (None, value), "due_on": (None, request.due_on)},
        )
    return request


def cancel_deposit_request(request: DepositRequest, *, reason: Any, by: Any) -> DepositRequest:
    """Withdraw a deposit request; refused while payments are allocated to it."""
    permissions.require(by, ISSUE)
    text = require_reason(reason)
    with transaction.atomic():
        request = DepositRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != DepositStatus.OPEN:
            raise InvalidTransition(
                _("The deposit request is cancelled."), code="deposit_request_closed"
            )
        if request.allocated_amount > 0:
            raise Conflict(
                _(
                    "Payments are allocated to this deposit request: reverse the payment "
                    "allocation first."
                ),
                code="deposit_paid",
            )
        request.status = DepositStatus.CANCELLED
        request.save(update_fields=["status"])
        audit.record(
            request,
            "deposit_request_cancelled",
            by=by,
            changes={"status": (DepositStatus.OPEN, DepositStatus.CANCELLED)},
            reason=text,
        )
    return request


# --- payments and allocations ---------------------------------------------------------------


def record_payment(
    customer: Customer,
    *,
    amount: Any,
    method: Any,
    received_on: Any,
    by: Any,
    reference: Any = "",
    note: Any = "",
) -> Payment:
    """Money received (收款); it stays unallocated credit until allocated."""
    permissions.require(by, PAYMENTS)
    errors: dict[str, str] = {}
    value = parse_amount(amount, "amount", errors)
    if method not in PaymentMethod.values:
        errors["method"] = _("Choose bank transfer, cash, cheque, online or acceptance bill.")
    if not isinstance(received_on, dt.date):
        errors["received_on"] = _("Enter the date the money was received.")
    elif received_on > timezone.localdate():
        errors["received_on"] = _("The date received cannot be in the future.")
    reference_text = str(reference or "").strip()
    note_text = str(note or "").strip()
    if len(reference_text) > 100:
        errors["reference"] = _("At most 100 characters.")
    if len(note_text) > 1000:
        errors["note"] = _("At most 1000 characters.")
    if method == PaymentMethod.BANK_TRANSFER and not reference_text:
        errors["reference"] = _("Enter the bank reference of the transfer.")
    if errors:
        raise invalid(_("The payment is invalid."), errors)
    with transaction.atomic():
        payment = Payment.objects.create(
            number=next_number("payment", on=received_on),
            customer=customer,
            amount=value,
            method=method,
            reference=reference_text,
            received_on=received_on,
            note=note_text,
            created_by=by,
        )
        audit.record(
            payment,
            "payment_recorded",
            by=by,
            changes={"amount": (None, value), "method": (None, method)},
        )
    return payment


def lock_payment(payment: Payment | int) -> Payment:
    pk = payment if isinstance(payment, int) else payment.pk
    found = Payment.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such payment."), code="payment_not_found")
    return found


Target = Invoice | DepositRequest


def lock_target(target: Target) -> Target:
    if isinstance(target, Invoice):
        return lock_invoice(target)
    found = DepositRequest.objects.select_for_update().filter(pk=target.pk).first()
    if found is None:
        raise NotFound(_("No such deposit request."), code="deposit_request_not_found")
    return found


def check_target(payment: Payment, target: Target) -> None:
    if target.customer_id != payment.customer_id:
        raise invalid(
            _("The payment and the item belong to different customers."),
            {"target": _("Another customer's item.")},
            code="customer_mismatch",
        )
    if isinstance(target, Invoice) and target.status != InvoiceStatus.ISSUED:
        raise InvalidTransition(
            _("Payments can only be allocated to issued invoices."), code="invoice_not_issued"
        )
    if isinstance(target, DepositRequest) and target.status != DepositStatus.OPEN:
        raise InvalidTransition(
            _("The deposit request is cancelled."), code="deposit_request_closed"
        )


def apply(payment: Payment, target: Target, amount: Decimal, by: Any) -> Allocation:
    """Book ``amount`` of the locked payment on the locked target (checked by the caller)."""
    allocation = Allocation.objects.create(
        payment=payment,
        invoice=target if isinstance(target, Invoice) else None,
        deposit_request=target if isinstance(target, DepositRequest) else None,
        amount=amount,
        created_by=by,
    )
    payment.allocated_amount += amount
    payment.save(update_fields=["allocated_amount"])
    old = target.allocated_amount
    target.allocated_amount = old + amount
    target.save(update_fields=["allocated_amount"])
    audit.record(
        allocation,
        "payment_allocated",
        by=by,
        changes={"amount": (None, amount), "target": (None, str(target))},
    )
    audit.record(
        target, "paid", by=by, changes={"allocated_amount": (old, target.allocated_amount)}
    )
    return allocation


def allocate(payment: Payment, target: Target, amount: Any, *, by: Any) -> Allocation:
    """Apply part of a payment to an issued invoice or an open deposit request."""
    permissions.require(by, PAYMENTS)
    errors: dict[str, str] = {}
    value = parse_amount(amount, "amount", errors)
    if errors:
        raise invalid(_("The allocation is invalid."), errors)
    with transaction.atomic():
        payment = lock_payment(payment)
        target = lock_target(target)
        check_target(payment, target)
        if value > payment.unallocated_amount:
            raise invalid(
                _("Only %(left)s of payment %(number)s is not yet allocated.")
                % {"left": payment.unallocated_amount, "number": payment.number},
                {"amount": _("More than the payment's unallocated amount.")},
                code="over_allocation",
            )
        if value > target.open_amount:
            raise invalid(
                _("Only %(open)s is open on %(item)s.")
                % {"open": target.open_amount, "item": str(target)},
                {"amount": _("More than the item's open amount.")},
                code="over_allocation",
            )
        return apply(payment, target, value, by)


def auto_allocate(payment: Payment, *, by: Any) -> list[Allocation]:
    """Spread the unallocated part of a payment over the customer's open deposit requests
    and issued invoices, oldest due first (a deposit before an invoice due the same day)."""
    permissions.require(by, PAYMENTS)
    with transaction.atomic():
        payment = lock_payment(payment)
        left = payment.unallocated_amount
        if left <= 0:
            return []
        deposits = list(
            DepositRequest.objects.select_for_update()
            .filter(pk__in=selectors.open_deposit_requests(payment.customer).values("pk"))
            .order_by("due_on", "id")
        )
        invoices = list(
            Invoice.objects.select_for_update()
            .filter(pk__in=selectors.open_invoices(payment.customer).values("pk"))
            .order_by("due_on", "id")
        )
        targets: list[Target] = [*deposits, *invoices]
        targets.sort(key=lambda item: (item.due_on or dt.date.max, isinstance(item, Invoice)))
        made = []
        for target in targets:
            if left <= 0:
                break
            share = min(left, target.open_amount)
            if share <= 0:
                continue
            made.append(apply(payment, target, share, by))
            left -= share
    return made


def reverse_allocation(allocation: Allocation, *, reason: Any, by: Any) -> Allocation:
    """Undo an allocation: the amount returns to the payment's unallocated credit and the
    item is open again. The allocation stays on record, marked reversed."""
    permissions.require(by, PAYMENTS)
    text = require_reason(reason)
    with transaction.atomic():
        payment = lock_payment(allocation.payment_id)
        allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
        if allocation.reversed_at is not None:
            raise InvalidTransition(
                _("The allocation is already reversed."), code="allocation_reversed"
            )
        target: Target = lock_target(
            allocation.invoice if allocation.invoice_id else allocation.deposit_request  # type: ignore[arg-type]
        )
        allocation.reversed_at = timezone.now()
        allocation.reversed_by = by
        allocation.reverse_reason = text
        allocation.save(update_fields=["reversed_at", "reversed_by", "reverse_reason"])
        payment.allocated_amount -= allocation.amount
        payment.save(update_fields=["allocated_amount"])
        old = target.allocated_amount
        target.allocated_amount = old - allocation.amount
        target.save(update_fields=["allocated_amount"])
        audit.record(
            allocation,
            "allocation_reversed",
            by=by,
            changes={"amount": (allocation.amount, ZERO)},
            reason=text,
        )
        audit.record(
            target,
            "payment_reversed",
            by=by,
            changes={"allocated_amount": (old, target.allocated_amount)},
            reason=text,
        )
    return allocation


def apply_deposit(invoice: Invoice, *, by: Any) -> list[Allocation]:
    """Apply the order's paid deposit to its invoice (定金抵扣): each active allocation of a
    payment to a deposit request of the invoice's order, oldest first, moves to the invoice
    up to what is open on it. The deposit allocation is reversed and the same payment is
    allocated to the invoice for the same amount; the reversed allocation points to the
    new one (``moved_to``), so the deposit still counts as received. When only part of an
    allocation is needed, it is split: the moved part is recorded as its own reversed,
    moved allocation and the rest stays on the deposit request as a new active one. The
    payments' allocated amounts do not change. Refused (409) without a paid deposit on the
    order or with nothing open on the invoice; returns the new invoice allocations."""
    permissions.require(by, PAYMENTS)
    with transaction.atomic():
        on_deposits = Allocation.objects.filter(
            deposit_request__order_id=invoice.order_id, reversed_at__isnull=True
        )
        # The lock order of ``allocate``: payments (by id), then the targets — deposit
        # requests by (due date, id) as ``auto_allocate`` takes them, then the invoice.
        payments = {
            payment.pk: payment
            for payment in Payment.objects.select_for_update()
            .filter(pk__in=on_deposits.values("payment_id"))
            .order_by("pk")
        }
        deposits = {
            request.pk: request
            for request in DepositRequest.objects.select_for_update()
            .filter(order_id=invoice.order_id)
            .order_by("due_on", "id")
        }
        invoice = lock_invoice(invoice)
        if invoice.status != InvoiceStatus.ISSUED:
            raise InvalidTransition(
                _("A deposit can only be applied to an issued invoice."),
                code="invoice_not_issued",
            )
        left = invoice.open_amount
        if left <= 0:
            raise Conflict(
                _("Nothing is open on invoice %(number)s.") % {"number": invoice.number},
                code="nothing_open",
            )
        # Only allocations of the payments locked above (one made since waits for next time).
        moving = list(
            on_deposits.select_for_update(of=("self",))
            .filter(payment_id__in=list(payments))
            .order_by("created_at", "id")
        )
        if not moving:
            raise Conflict(
                _("No deposit has been paid on order %(order)s.") % {"order": invoice.order.number},
                code="no_paid_deposit",
            )
        now = timezone.now()
        reason = _("Applied to invoice %(number)s.") % {"number": invoice.number}
        old_invoice = invoice.allocated_amount
        made: list[Allocation] = []
        moved_by_payment: dict[int, Decimal] = {}
        for allocation in moving:
            if left <= 0:
                break
            payment = payments[allocation.payment_id]
            deposit = deposits[int(allocation.deposit_request_id or 0)]
            share = min(left, allocation.amount)
            to_invoice = Allocation.objects.create(
                payment=payment, invoice=invoice, amount=share, created_by=by
            )
            old_deposit = deposit.allocated_amount
            if share == allocation.amount:
                moved = allocation
            else:
                # Split: the original is reversed as a whole and replaced by the moved part
                # (reversed, moved on) and the rest (active), so ``deposit_received`` still
                # adds up to what was paid.
                allocation.reversed_at = now
                allocation.reversed_by = by
                allocation.reverse_reason = _(
                    "Split: %(share)s applied to invoice %(number)s, %(rest)s stays on the deposit."
                ) % {
                    "share": share,
                    "number": invoice.number,
                    "rest": allocation.amount - share,
                }
                allocation.save(update_fields=["reversed_at", "reversed_by", "reverse_reason"])
                rest = Allocation.objects.create(
                    payment=payment,
                    deposit_request=deposit,
                    amount=allocation.amount - share,
                    created_by=by,
                )
                moved = Allocation.objects.create(
                    payment=payment, deposit_request=deposit, amount=share, created_by=by
                )
                audit.record(
                    allocation,
                    "allocation_split",
                    by=by,
                    changes={"amount": (allocation.amount, ZERO), "rest": (None, rest.amount)},
                    reason=allocation.reverse_reason,
                )
            moved.reversed_at = now
            moved.reversed_by = by
            moved.reverse_reason = reason
            moved.moved_to = to_invoice
            moved.save(update_fields=["reversed_at", "reversed_by", "reverse_reason", "moved_to"])
            deposit.allocated_amount = old_deposit - share
            deposit.save(update_fields=["allocated_amount"])
            audit.record(
                moved,
                "deposit_moved_to_invoice",
                by=by,
                changes={"moved_to": (None, to_invoice.pk), "amount": (None, share)},
                reason=reason,
            )
            audit.record(
                deposit,
                "deposit_applied",
                by=by,
                changes={"allocated_amount": (old_deposit, deposit.allocated_amount)},
                reason=reason,
            )
            moved_by_payment[payment.pk] = moved_by_payment.get(payment.pk, ZERO) + share
            made.append(to_invoice)
            left -= share
        invoice.allocated_amount = old_invoice + sum((a.amount for a in made), ZERO)
        invoice.save(update_fields=["allocated_amount"])
        audit.record(
            invoice,
            "deposit_applied",
            by=by,
            changes={"allocated_amount": (old_invoice, invoice.allocated_amount)},
            reason=reason,
        )
        for payment_id, amount in moved_by_payment.items():
            audit.record(
                payments[payment_id],
                "deposit_applied",
                by=by,
                changes={"deposit_to_invoice": (None, amount)},
                reason=reason,
            )
    return made
