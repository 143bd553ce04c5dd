"""Billing pages (/billing/): the invoice list and page (issue, fapiao number, void, credit
note, PDF, send, apply the order's deposit), new invoices and deposit requests from the
order page, payments with their allocation (the customer found with the customer search
of ``customers.selectors``), the receivables dashboard, and the panels on the order and
customer pages (with their collection cases and payment contacts).

Each action posts to one service; a refusal comes back on the form, or as a message on the
page for one-button actions.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orderdesk.core import audit, htmx, permissions
from orderdesk.core.errors import DomainError, NotAllowed, NotFound
from orderdesk.core.forms import place_errors
from orderdesk.core.paging import page_of
from orderdesk.customers import selectors as customer_selectors
from orderdesk.customers.models import Customer
from orderdesk.orders import selectors as order_selectors
from orderdesk.orders.documents import plain_number
from orderdesk.orders.models import Order
from orderdesk.shipping.models import SENT, Shipment

from .. import collection, selectors, services
from ..documents import invoice_pdf
from ..forms import (
    DepositForm,
    FapiaoForm,
    InvoiceFilterForm,
    NewInvoiceForm,
    PaymentContactForm,
    PaymentFilterForm,
    PaymentForm,
    ReasonForm,
    ReceivablesForm,
)
from ..models import (
    Allocation,
    DepositRequest,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentContact,
)
from ..sending import send_invoice

ISSUE, PAYMENTS, VIEW = "billing.issue_invoices", "billing.record_payments", selectors.VIEW
TIMELINE_LIMIT = 50
TOP_OVERDUE = 10
CUSTOMER_RESULTS = 8
PANEL_CONTACTS = 5
MAX_ID = 2**63 - 1


# --- helpers --------------------------------------------------------------------------------


def as_id(value: Any) -> int | None:
    """A row id typed into a query string or form, else None (never a database error)."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_ID else None


def require_view(user: Any) -> None:
    if not selectors.can_view(user):
        raise PermissionDenied


def require(user: Any, permission: str) -> None:
    if not permissions.has(user, permission):
        raise PermissionDenied


def order_or_404(user: Any, order_id: Any) -> Order:
    try:
        return order_selectors.order_for(user, int(order_id))
    except (NotFound, TypeError, ValueError) as error:
        raise Http404 from error


def invoice_or_404(user: Any, invoice_id: int) -> Invoice:
    try:
        return selectors.invoice_for(user, invoice_id)
    except NotFound as error:
        raise Http404 from error


def payment_or_404(user: Any, payment_id: int) -> Payment:
    try:
        return selectors.payment_for(user, payment_id)
    except NotFound as error:
        raise Http404 from error


def flash(request: HttpRequest, error: DomainError) -> None:
    if isinstance(error, NotAllowed) and not error.fields:
        raise PermissionDenied(str(error.message)) from error
    details = "; ".join(str(value) for value in error.fields.values())
    text = str(error.message)
    messages.error(
        request, f"{text} {details}".strip() if details and details not in text else text
    )


def invoice_url(invoice: Invoice, anchor: str = "") -> str:
    return reverse("billing:invoice", args=[invoice.pk]) + (f"#{anchor}" if anchor else "")


def payment_url(payment: Payment) -> str:
    return reverse("billing:payment", args=[payment.pk])


def order_url(order_id: int) -> str:
    return reverse("orders:detail", args=[order_id]) + "#billing"


# --- invoices -------------------------------------------------------------------------------


def search_invoices(user: Any, data: dict[str, Any]) -> QuerySet[Invoice]:
    invoices = selectors.invoices_visible_to(user).select_related("customer", "order")
    if text := (data.get("q") or "").strip():
        invoices = invoices.filter(
            Q(number__icontains=text)
            | Q(fapiao_number__icontains=text)
            | Q(order__number__icontains=text)
            | Q(customer__name__icontains=text)
            | Q(customer__code__iexact=text)
        )
    if data.get("status"):
        invoices = invoices.filter(status=data["status"])
    if data.get("overdue"):
        invoices = invoices.filter(
            pk__in=selectors.open_invoices().filter(due_on__lt=timezone.localdate()).values("pk")
        )
    if (order_id := as_id(data.get("order"))) is not None:
        invoices = invoices.filter(order_id=order_id)
    if (customer_id := as_id(data.get("customer"))) is not None:
        invoices = invoices.filter(customer_id=customer_id)
    return invoices.order_by("-created_at", "-id")


@require_GET
def invoice_list(request: HttpRequest) -> HttpResponse:
    require_view(request.user)
    form = InvoiceFilterForm(request.GET or None)
    data: dict[str, Any] = dict(form.cleaned_data) if form.is_valid() else {}
    data.update({k: request.GET.get(k, "") for k in ("order", "customer")})
    page, query = page_of(request, search_invoices(request.user, data))
    return render(
        request,
        "billing/invoice_list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "filtered": any(data.values()),
            "today": timezone.localdate(),
        },
    )


def has_paid_deposit(order_id: int) -> bool:
    """Whether a payment is allocated to a deposit request of the order (and can be applied
    to its invoice)."""
    return Allocation.objects.filter(
        deposit_request__order_id=order_id, reversed_at__isnull=True
    ).exists()


def invoice_context(request: HttpRequest, invoice: Invoice, **forms: Any) -> dict[str, Any]:
    user = request.user
    issue = permissions.has(user, ISSUE)
    issued = invoice.status == InvoiceStatus.ISSUED
    open_amount = invoice.open_amount
    return {
        "invoice": invoice,
        "order": invoice.order,
        "lines": [
            {
                "line": line,
                "quantity": plain_number(line.quantity),
                "rate": plain_number(line.tax_rate * 100),
                "unit_price": plain_number(line.unit_price),
            }
            for line in invoice.lines.all()
        ],
        "rates": [
            {**row, "rate": plain_number(row["tax_rate"] * 100)}
            for row in selectors.totals_per_rate(invoice)
        ],
        "credit_notes": list(invoice.credit_notes.all()),
        "allocations": list(
            invoice.allocations.select_related("payment", "moved_from").order_by("created_at", "id")
        ),
        "entries": audit.entries_for(invoice)[:TIMELINE_LIMIT],
        "fapiao_form": forms.get("fapiao_form")
        or FapiaoForm(initial={"fapiao_number": invoice.fapiao_number}),
        "void_form": forms.get("void_form") or ReasonForm(prefix="void"),
        "credit_form": forms.get("credit_form") or ReasonForm(prefix="credit"),
        "can": {
            "issue": issue and invoice.status == InvoiceStatus.DRAFT,
            "fapiao": issue and invoice.status != InvoiceStatus.VOID,
            "void": issue and invoice.status != InvoiceStatus.VOID,
            "credit": issue and issued and open_amount > 0,
            "send": issue and issued,
            "apply_deposit": issued
            and open_amount > 0
            and permissions.has(user, PAYMENTS)
            and has_paid_deposit(invoice.order_id),
        },
    }


@require_GET
def invoice_detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = invoice_or_404(request.user, invoice_id)
    return render(request, "billing/invoice_detail.html", invoice_context(request, invoice))


@require_POST
def invoice_issue(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = invoice_or_404(request.user, invoice_id)
    try:
        services.issue_invoice(
            invoice, by=request.user, fapiao_number=request.POST.get("fapiao_number") or None
        )
    except DomainError as error:
        flash(request, error)
    else:
        messages.success(request, _("Invoice %(number)s issued.") % {"number": invoice.number})
    return htmx.redirect(request, invoice_url(invoice))


@require_POST
def invoice_fapiao(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = invoice_or_404(request.user, invoice_id)
    form = FapiaoForm(request.POST)
    if form.is_valid():
        try:
            services.record_fapiao_number(
                invoice, form.cleaned_data["fapiao_number"], by=request.user
            )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Fapiao number saved."))
            return htmx.redirect(request, invoice_url(invoice))
    context = invoice_context(request, invoice, fapiao_form=form)
    return render(request, "billing/invoice_detail.html", context)


@require_POST
def invoice_void(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = invoice_or_404(request.user, invoice_id)
    form = ReasonForm(request.POST, prefix="void")
    if form.is_valid():
        try:
            services.void_invoice(invoice, reason=form.cleaned_data["reason"], by=request.user)
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(request, _("Invoice %(number)s void.") % {"number": invoice.number})
            return htmx.redirect(request, invoice_url(invoice))
    context = invoice_context(request, invoice, void_form=form)
    return render(request, "billing/invoice_detail.html", context)


@require_POST
def invoice_credit(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = invoice_or_404(request.user, invoice_id)
    form = ReasonForm(request.POST, prefix="credit")
    if form.is_valid():
        try:
            note = services.create_credit_note(
                invoice, reason=form.cleaned_data["reason"], by=request.user
            )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(
                request, _("Credit note %(number)s created.") % {"number": note.number}
            )
            return htmx.redirect(request, invoice_url(invoice, "credit-notes"))
    context = invoice_context(request, invoice, credit_form=form)
    return render(request, "billing/invoice_detail.html", context)


@require_POST
def invoice_send(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = invoice_or_404(request.user, invoice_id)
    try:
        to = send_invoice(invoice, by=request.user)
    except DomainError as error:
        flash(request, error)
    else:
        messages.success(request, _("Invoice sent to %(to)s.") % {"to": ", ".join(to)})
    return htmx.redirect(request, invoice_url(invoice))


@require_POST
def invoice_apply_deposit(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """Move the order's paid deposit onto this invoice (定金抵扣)."""
    invoice = invoice_or_404(request.user, invoice_id)
    try:
        made = services.apply_deposit(invoice, by=request.user)
    except DomainError as error:
        flash(request, error)
    else:
        messages.success(
            request,
            _("Deposit of %(amount)s applied to invoice %(number)s.")
            % {"amount": sum((a.amount for a in made), Decimal(0)), "number": invoice.number},
        )
    return htmx.redirect(request, invoice_url(invoice, "allocations"))


@require_GET
def invoice_document(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = invoice_or_404(request.user, invoice_id)
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    return response


def invoice_new(request: HttpRequest, order_id: int) -> HttpResponse:
    """A new invoice from the order page: kind, the whole order or one shipment, and the
    quantities pre-filled with what is still invoiceable."""
    order = order_or_404(request.user, order_id)
    require(request.user, ISSUE)
    shipments = list(
        Shipment.objects.filter(order=order, status__in=SENT).order_by("shipped_at", "id")
    )
    data = request.POST if request.method == "POST" else None
    form = NewInvoiceForm(
        data,
        shipments=shipments,
        initial={"shipment": request.GET.get("shipment", ""), "kind": "ordinary"},
    )
    chosen_id = (data or request.GET).get("shipment", "")
    shipment = next((s for s in shipments if str(s.pk) == chosen_id), None)
    left = selectors.invoiceable(order, shipment=shipment)
    lines = list(order.lines.order_by("line_no"))
    values = {
        line.pk: (
            request.POST.get(f"qty-{line.pk}", "").strip()
            if data is not None
            else plain_number(left.get(line.pk, Decimal(0)))
        )
        for line in lines
    }
    line_errors: dict[int, str] = {}
    if data is not None and form.is_valid():
        wanted = [line for line in lines if values[line.pk] not in ("", "0")]
        try:
            invoice = services.create_invoice(
                order,
                form.cleaned_data["kind"],
                by=request.user,
                shipment=shipment,
                lines=[{"order_line_id": line.pk, "quantity": values[line.pk]} for line in wanted],
            )
        except DomainError as error:
            for name, message in error.fields.items():
                parts = name.split(".")
                if parts[0] == "lines" and len(parts) > 1 and parts[1].isdigit():
                    index = int(parts[1])
                    if index < len(wanted):
                        line_errors[wanted[index].pk] = message
            place_errors(error, form, {"shipment_id": "shipment"})
        else:
            messages.success(
                request, _("Draft invoice %(number)s created.") % {"number": invoice.number}
            )
            return htmx.redirect(request, invoice_url(invoice))
    rows = [
        {
            "line": line,
            "ordered": plain_number(line.quantity),
            "left": plain_number(left.get(line.pk, Decimal(0))),
            "value": values[line.pk],
            "error": line_errors.get(line.pk, ""),
        }
        for line in lines
    ]
    return render(
        request,
        "billing/invoice_new.html",
        {"order": order, "form": form, "rows": rows, "shipment": shipment},
    )


# --- deposits -------------------------------------------------------------------------------


def deposit_new(request: HttpRequest, order_id: int) -> HttpResponse:
    order = order_or_404(request.user, order_id)
    require(request.user, ISSUE)
    form = DepositForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            found = services.request_deposit(
                order,
                by=request.user,
                percent=data["percent"],
                amount=data["amount"],
                due_on=data["due_on"],
            )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(
                request, _("Deposit of %(amount)s requested.") % {"amount": found.amount}
            )
            return htmx.redirect(request, order_url(order.pk))
    return render(
        request,
        "billing/deposit_new.html",
        {"order": order, "form": form},
    )


# --- payments -------------------------------------------------------------------------------


@require_GET
def payment_list(request: HttpRequest) -> HttpResponse:
    require_view(request.user)
    form = PaymentFilterForm(request.GET or None)
    payments = selectors.payments_visible_to(request.user).select_related("customer")
    text = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if text:
        payments = payments.filter(
            Q(number__icontains=text)
            | Q(reference__icontains=text)
            | Q(customer__name__icontains=text)
            | Q(customer__code__iexact=text)
        )
    if (customer_id := as_id(request.GET.get("customer"))) is not None:
        payments = payments.filter(customer_id=customer_id)
    page, query = page_of(request, payments.order_by("-received_on", "-id"))
    return render(
        request,
        "billing/payment_list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "filtered": bool(text),
            "can_record": permissions.has(request.user, PAYMENTS),
        },
    )


def find_customers(user: Any, q: str) -> list[Customer]:
    """Customers whose receivables ``user`` sees, by name, short name, code or pinyin
    initials: the search of the customer list and the order entry lookup."""
    q = (q or "").strip()[:100]
    if not q:
        return []
    visible = selectors.visible_customers(user).values("pk")
    return list(customer_selectors.search(user, q=q).filter(pk__in=visible)[:CUSTOMER_RESULTS])


def chosen_customer(customers: QuerySet[Customer], value: Any) -> Customer | None:
    pk = as_id(value)
    return customers.filter(pk=pk).first() if pk is not None else None


def payment_new(request: HttpRequest) -> HttpResponse:
    """Record a payment. The customer is found by the search box (htmx results as you type,
    or the "Find" button without JavaScript); a result posts the form back with the
    customer chosen and what was typed kept. ``?customer=<id>`` comes pre-selected."""
    require(request.user, PAYMENTS)
    customers = selectors.visible_customers(request.user)
    customer_q = (request.GET.get("customer_q") or "").strip()[:100]
    results = find_customers(request.user, customer_q) if customer_q else None
    if request.htmx and "customer_q" in request.GET:  # type: ignore[attr-defined]
        return render(
            request,
            "billing/partials/_payment_customer_results.html",
            {"customer_results": results or [], "customer_q": customer_q},
        )
    picked = request.method == "POST" and "pick_customer" in request.POST
    if request.method == "POST" and not picked:
        form = PaymentForm(request.POST, customers=customers)
        chosen = chosen_customer(customers, request.POST.get("customer"))
    else:
        initial: dict[str, Any] = {"received_on": timezone.localdate()}
        if picked:
            initial |= request.POST.dict()
            initial["customer"] = request.POST["pick_customer"]
        else:
            initial["customer"] = request.GET.get("customer", "")
        chosen = chosen_customer(customers, initial["customer"])
        if chosen is None:
            initial["customer"] = ""
        form = PaymentForm(initial=initial, customers=customers)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            payment = services.record_payment(
                data["customer"],
                amount=data["amount"],
                method=data["method"],
                received_on=data["received_on"],
                reference=data["reference"],
                note=data["note"],
                by=request.user,
            )
        except DomainError as error:
            place_errors(error, form)
        else:
            messages.success(
                request, _("Payment %(number)s recorded.") % {"number": payment.number}
            )
            return htmx.redirect(request, payment_url(payment))
    return render(
        request,
        "billing/payment_new.html",
        {
            "form": form,
            "customer": chosen,
            "customer_q": customer_q,
            "customer_results": results,
        },
    )


def item_key(item: dict[str, Any]) -> str:
    return f"amt-{item['kind']}-{item['id']}"


def payment_context(
    request: HttpRequest,
    payment: Payment,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    values, errors = values or {}, errors or {}
    items = selectors.open_items(payment.customer)
    for item in items:
        item["key"] = item_key(item)
        item["value"] = values.get(item["key"], "")
        item["error"] = errors.get(item["key"], "")
    may = permissions.has(request.user, PAYMENTS)
    return {
        "payment": payment,
        "customer": payment.customer,
        "items": items,
        "allocations": list(
            payment.allocations.select_related("invoice", "deposit_request__order").order_by(
                "created_at", "id"
            )
        ),
        "credit": selectors.unallocated_credit(payment.customer),
        "entries": audit.entries_for(payment)[:TIMELINE_LIMIT],
        "can": {
            "allocate": may and payment.unallocated_amount > 0 and bool(items),
            "reverse": may,
        },
    }


@require_GET
def payment_detail(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = payment_or_404(request.user, payment_id)
    return render(request, "billing/payment_detail.html", payment_context(request, payment))


class Refused(Exception):
    """Rolls back a hand allocation in which one amount was refused."""


@require_POST
def payment_allocate(request: HttpRequest, payment_id: int) -> HttpResponse:
    """Allocate by hand (the amounts typed per open item, all or none) or automatically
    (oldest due first)."""
    payment = payment_or_404(request.user, payment_id)
    require(request.user, PAYMENTS)
    if "auto" in request.POST:
        try:
            made = services.auto_allocate(payment, by=request.user)
        except DomainError as error:
            flash(request, error)
        else:
            if made:
                messages.success(
                    request,
                    _("%(count)s items allocated, oldest due first.") % {"count": len(made)},
                )
            else:
                messages.info(request, _("Nothing to allocate."))
        return htmx.redirect(request, payment_url(payment))
    items = selectors.open_items(payment.customer)
    values = {item_key(item): request.POST.get(item_key(item), "").strip() for item in items}
    wanted = [item for item in items if values[item_key(item)] not in ("", "0", "0.00")]
    errors: dict[str, str] = {}
    if not wanted:
        messages.error(request, _("Enter an amount for at least one open item."))
        return htmx.redirect(request, payment_url(payment))
    try:
        with transaction.atomic():
            for item in wanted:
                model = Invoice if item["kind"] == "invoice" else DepositRequest
                target = model.objects.get(pk=item["id"])
                try:
                    services.allocate(payment, target, values[item_key(item)], by=request.user)
                except DomainError as error:
                    if isinstance(error, NotAllowed) and not error.fields:
                        raise
                    errors[item_key(item)] = str(error.fields.get("amount") or error.message)
            if errors:
                raise Refused
    except Refused:
        messages.error(request, _("Nothing was allocated: correct the amounts marked below."))
        payment.refresh_from_db()
        context = payment_context(request, payment, values, errors)
        return render(request, "billing/payment_detail.html", context)
    except NotAllowed as error:
        raise PermissionDenied(str(error.message)) from error
    messages.success(request, _("%(count)s items allocated.") % {"count": len(wanted)})
    return htmx.redirect(request, payment_url(payment))


@require_POST
def allocation_reverse(request: HttpRequest, allocation_id: int) -> HttpResponse:
    allocation = Allocation.objects.filter(pk=allocation_id).first()
    if allocation is None:
        raise Http404
    payment = payment_or_404(request.user, allocation.payment_id)
    try:
        services.reverse_allocation(
            allocation, reason=request.POST.get("reason", ""), by=request.user
        )
    except DomainError as error:
        flash(request, error)
    else:
        messages.success(request, _("Allocation reversed."))
    return htmx.redirect(request, payment_url(payment))


# --- receivables ----------------------------------------------------------------------------


@require_GET
def receivables(request: HttpRequest) -> HttpResponse:
    require_view(request.user)
    form = ReceivablesForm(request.GET or None)
    on = (form.cleaned_data["on"] if form.is_valid() else None) or timezone.localdate()
    report = selectors.aging(on=on, user=request.user)
    overdue = sorted(
        (
            {**row, "overdue": row["total"] - row["not_due"]}
            for row in report["customers"]
            if row["total"] - row["not_due"] > 0
        ),
        key=lambda row: (-row["overdue"], row["code"]),
    )[:TOP_OVERDUE]
    labels = [_("Not due"), _("1–30 days"), _("31–60 days"), _("61–90 days"), _("Over 90 days")]
    buckets = [
        {"name": name, "label": label, "amount": report["total"][name]}
        for name, label in zip(selectors.BUCKETS, labels, strict=True)
    ]
    return render(
        request,
        "billing/receivables.html",
        {
            "form": form,
            "on": on,
            "report": report,
            "buckets": buckets,
            "chart": {
                "labels": [str(label) for label in labels],
                "values": [float(bucket["amount"]) for bucket in buckets],
            },
            "top_overdue": overdue,
        },
    )


# --- panels ---------------------------------------------------------------------------------


def order_panel_context(request: HttpRequest, order: Order) -> dict[str, Any] | None:
    """The order page's billing panel: its invoices (with the collection level of those
    being chased), deposit requests and what is paid."""
    user = request.user
    if not selectors.visible_customers(user).filter(pk=order.customer_id).exists():
        return None
    invoices = list(Invoice.objects.filter(order=order).order_by("created_at", "id"))
    chased = {
        case.invoice_id: case
        for case in collection.cases_visible_to(user).filter(
            invoice__order=order, status__in=collection.LIVE
        )
    }
    for invoice in invoices:
        invoice.live_case = chased.get(invoice.pk)  # type: ignore[attr-defined]
    deposits = list(DepositRequest.objects.filter(order=order).order_by("created_at", "id"))
    issued = [invoice for invoice in invoices if invoice.status == InvoiceStatus.ISSUED]
    issue = permissions.has(user, ISSUE)
    return {
        "order": order,
        "invoices": invoices,
        "deposits": deposits,
        "invoiced": sum((i.gross_amount - i.credited_amount for i in issued), Decimal(0)),
        "paid": sum((i.allocated_amount for i in issued), Decimal(0))
        + selectors.deposit_received(order),
        "chased": bool(chased),
        "can": {
            "invoice": issue and order.status in services.INVOICEABLE_STATUSES,
            "deposit": issue and order.status in services.DEPOSIT_STATUSES,
        },
    }


def customer_panel_context(request: HttpRequest, customer: Any) -> dict[str, Any] | None:
    """The customer page's account panel, for users who see receivables of this customer:
    balance, open items, aging, and the collection (open cases, recent payment contacts,
    a form to log one, the collection notice)."""
    user = request.user
    if not permissions.has(user, VIEW):
        return None
    if not selectors.visible_customers(user).filter(pk=customer.pk).exists():
        return None
    on = timezone.localdate()
    found = selectors.account(customer, on=on)
    labels = [_("Not due"), _("1–30 days"), _("31–60 days"), _("61–90 days"), _("Over 90 days")]
    cases = (
        collection.cases_visible_to(user)
        .filter(customer=customer, status__in=collection.LIVE)
        .order_by("next_action_on", "invoice__due_on", "pk")
    )
    open_invoices = [item for item in found["open_items"] if item["kind"] == "invoice"]
    return {
        "customer": customer,
        "account": found,
        "buckets": [
            {"label": label, "amount": found["aging"][name]}
            for name, label in zip(selectors.BUCKETS, labels, strict=True)
        ],
        "today": on,
        "can_record": permissions.has(user, PAYMENTS),
        "cases": [
            {
                "case": case,
                "open": collection.invoice_open(case.invoice),
                "days": collection.days_overdue(case.invoice, on),
            }
            for case in cases
        ],
        "contacts": list(
            PaymentContact.objects.filter(customer=customer).select_related("by", "invoice")[
                :PANEL_CONTACTS
            ]
        ),
        "payment_contact_form": PaymentContactForm(
            prefix="payment_contact",
            invoices=[(item["id"], item["number"]) for item in open_invoices],
        ),
        "overdue": any(item["days_overdue"] > 0 for item in open_invoices),
    }
