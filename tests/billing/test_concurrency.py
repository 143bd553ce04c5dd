"""Allocations from several PostgreSQL connections at once: a payment is never allocated
beyond its amount and an invoice never beyond its open amount."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orderdesk.billing import services
from orderdesk.billing.models import Allocation, Invoice, Payment
from tests.factories.concurrency import race
from tests.factories.orders import make_released_order, make_world

from .helpers import invoice_per, issued, paid

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_allocations_of_one_payment_cannot_over_allocate():
    invoice_per("order")
    world = make_world()
    order = make_released_order(world)
    line1, line2 = order.lines.order_by("line_no")
    one = issued(order, world.finance, lines=[{"order_line_id": line1.pk, "quantity": 2}])
    two = issued(order, world.finance, lines=[{"order_line_id": line2.pk, "quantity": 5}])
    payment = paid(world.customer, "200.00", world.finance)
    won, refused, other = race(
        [
            lambda: services.allocate(payment, one, "150.00", by=world.finance),
            lambda: services.allocate(payment, two, "150.00", by=world.finance),
        ]
    )
    assert other == []
    assert len(won) == 1
    assert len(refused) == 1
    assert refused[0].code == "over_allocation"
    payment.refresh_from_db()
    assert payment.allocated_amount == Decimal("150.00")
    assert Allocation.objects.count() == 1


def test_many_payments_racing_for_one_invoice_never_overpay_it():
    invoice_per("order")
    world = make_world()
    order = make_released_order(world)
    invoice = issued(order, world.finance)
    payments = [paid(world.customer, "100.00", world.finance) for _ in range(12)]
    won, refused, other = race(
        [(lambda p=p: services.allocate(p, invoice, "100.00", by=world.finance)) for p in payments]
    )
    assert other == []
    invoice.refresh_from_db()
    assert len(won) == int(invoice.gross_amount // 100)
    assert len(refused) == len(payments) - len(won)
    assert invoice.allocated_amount == Decimal(100) * len(won)
    assert invoice.allocated_amount <= invoice.gross_amount
    assert sum(p.allocated_amount for p in Payment.objects.all()) == invoice.allocated_amount
    assert Invoice.objects.get(pk=invoice.pk).open_amount >= 0
