"""Hypothesis walks random sequences of invoices, issues, credit notes, voids, payments,
deposit requests, allocations (manual and automatic) and reversals: the customer's balance
always equals issued invoices − credit notes − payments, no open amount goes negative, the
running totals agree with the rows, and a refusal changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderdesk.billing import selectors, services
from orderdesk.billing.models import (
    Allocation,
    CreditNote,
    DepositRequest,
    Invoice,
    Payment,
)
from orderdesk.core.errors import DomainError
from tests.factories.orders import make_released_order, make_world

from .helpers import invoice_per

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(600), places=2)
quantities = st.sampled_from([Decimal(1), Decimal("0.5"), Decimal(2), Decimal(3)])
index = st.integers(0, 6)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("invoice"), st.integers(0, 1), quantities),
        st.tuples(st.just("invoice_all"), st.none(), st.none()),
        st.tuples(st.just("issue"), index, st.none()),
        st.tuples(st.just("credit"), index, st.one_of(st.none(), quantities)),
        st.tuples(st.just("void"), index, st.none()),
        st.tuples(st.just("pay"), st.none(), amounts),
        st.tuples(st.just("deposit"), st.none(), st.sampled_from(["10", "30", "50"])),
        st.tuples(st.just("allocate"), st.tuples(index, index, st.booleans()), amounts),
        st.tuples(st.just("auto"), index, st.none()),
        st.tuples(st.just("cancel_deposit"), index, st.none()),
        st.tuples(st.just("reverse"), index, st.none()),
    ),
    min_size=1,
    max_size=20,
)


@pytest.fixture
def world():
    invoice_per("order")
    return make_world()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(walk=steps)
def test_any_sequence_keeps_the_books_consistent(world, walk):
    order = make_released_order(
        world,
        lines=[
            {"sku": world.products[0].sku, "quantity": "3"},
            {"sku": world.products[2].sku, "quantity": "2"},
        ],
    )
    by = world.finance
    for kind, which, value in walk:
        before = snapshot(world)
        try:
            apply(kind, which, value, order, by, world)
        except DomainError:
            assert snapshot(world) == before
        check(world, order)


def nth(queryset: Any, which: int) -> Any:
    rows = list(queryset.order_by("pk"))
    return rows[which % len(rows)] if rows else None


def apply(kind: str, which: Any, value: Any, order: Any, by: Any, world: Any) -> None:
    invoices = Invoice.objects.filter(order=order)
    if kind == "invoice":
        line = order.lines.order_by("line_no")[which]
        services.create_invoice(
            order, "ordinary", by=by, lines=[{"order_line_id": line.pk, "quantity": value}]
        )
    elif kind == "invoice_all":
        services.create_invoice(order, "ordinary", by=by)
    elif kind == "issue" and (invoice := nth(invoices.filter(status="draft"), which)):
        services.issue_invoice(invoice, by=by)
    elif kind == "credit" and (invoice := nth(invoices.filter(status="issued"), which)):
        lines = None
        if value is not None:
            lines = [{"invoice_line_id": invoice.lines.first().pk, "quantity": value}]
        services.create_credit_note(invoice, reason="红冲", by=by, lines=lines)
    elif kind == "void" and (invoice := nth(invoices, which)):
        services.void_invoice(invoice, reason="作废", by=by)
    elif kind == "pay":
        services.record_payment(
            world.customer,
            amount=value,
            method="cash",
            received_on=timezone.localdate(),
            by=by,
        )
    elif kind == "deposit":
        services.request_deposit(order, by=by, percent=value)
    elif kind == "cancel_deposit" and (request := nth(order.deposit_requests, which)):
        services.cancel_deposit_request(request, reason="取消", by=by)
    elif kind == "allocate":
        payment_at, target_at, to_invoice = which
        payment = nth(Payment.objects.filter(customer=world.customer), payment_at)
        targets = invoices.exclude(status="void") if to_invoice else order.deposit_requests
        target = nth(targets, target_at)
        if payment and target:
            services.allocate(payment, target, value, by=by)
    elif kind == "auto" and (
        payment := nth(Payment.objects.filter(customer=world.customer), which)
    ):
        services.auto_allocate(payment, by=by)
    elif kind == "reverse" and (
        allocation := nth(Allocation.objects.filter(reversed_at__isnull=True), which)
    ):
        services.reverse_allocation(allocation, reason="冲销", by=by)


def snapshot(world: Any) -> tuple[Any, ...]:
    return (
        list(
            Invoice.objects.order_by("pk").values_list(
                "status", "credited_amount", "allocated_amount"
            )
        ),
        list(Payment.objects.order_by("pk").values_list("amount", "allocated_amount")),
        list(
            DepositRequest.objects.order_by("pk").values_list(
                "status", "amount", "allocated_amount"
            )
        ),
        Allocation.objects.filter(reversed_at__isnull=True).count(),
        CreditNote.objects.count(),
    )


def summed(queryset: Any, field: str) -> Decimal:
    return queryset.aggregate(total=Sum(field))["total"] or Decimal(0)


def check(world: Any, order: Any) -> None:
    customer = world.customer
    issued = Invoice.objects.filter(customer=customer, status="issued")
    expected = (
        summed(issued, "gross_amount")
        - summed(
            CreditNote.objects.filter(customer=customer, invoice__status="issued"), "gross_amount"
        )
        - summed(Payment.objects.filter(customer=customer), "amount")
    )
    assert selectors.balance(customer) == expected
    active = Allocation.objects.filter(reversed_at__isnull=True)
    for invoice in Invoice.objects.filter(customer=customer):
        assert invoice.gross_amount - invoice.credited_amount - invoice.allocated_amount >= 0
        assert invoice.credited_amount == summed(invoice.credit_notes.all(), "gross_amount")
        assert invoice.allocated_amount == summed(active.filter(invoice=invoice), "amount")
        assert invoice.gross_amount == summed(invoice.lines.all(), "gross_amount")
        if invoice.status != "issued":
            assert invoice.allocated_amount == 0
    for request in DepositRequest.objects.filter(customer=customer):
        assert request.open_amount >= 0
        if request.status == "cancelled":
            assert request.allocated_amount == 0
        assert request.allocated_amount == summed(active.filter(deposit_request=request), "amount")
    for payment in Payment.objects.filter(customer=customer):
        assert payment.unallocated_amount >= 0
        assert payment.allocated_amount == summed(active.filter(payment=payment), "amount")
    for item in selectors.open_items(customer):
        assert item["open_amount"] > 0
    invoiced = selectors.invoiced_by_line(order)
    for line in order.lines.all():
        done = invoiced.get(line.pk, {"quantity": Decimal(0), "gross": Decimal(0)})
        assert Decimal(0) <= done["quantity"] <= line.quantity
        if done["quantity"] == line.quantity:
            assert done["gross"] == line.line_total
