"""Deposit requests, payments, allocations (manual and automatic), reversals, the customer
account, aging and exposure."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from orderdesk.billing import selectors, services
from orderdesk.billing.models import Allocation, DepositRequest, Invoice, Payment
from orderdesk.core import audit
from orderdesk.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from tests.factories.customers import make_customer
from tests.factories.orders import make_order, make_released_order, make_world

from .helpers import invoice_per, issued, paid

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def world():
    invoice_per("order")
    return make_world()


@pytest.fixture
def order(world):
    return make_released_order(world)


@pytest.fixture
def invoice(world, order):
    return issued(order, world.finance)


def test_a_payment_gets_a_receipt_number_and_stays_unallocated(world):
    payment = paid(world.customer, "1000.00", world.finance, note="首付")
    assert re.fullmatch(r"SK\d{8}\d{4}", payment.number)
    assert payment.unallocated_amount == Decimal("1000.00")
    assert selectors.balance(world.customer) == Decimal("-1000.00")
    assert selectors.unallocated_credit(world.customer) == Decimal("1000.00")
    assert audit.entries_for(payment).filter(action="payment_recorded").exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "1.005"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": None}, "amount"),
        ({"method": "bitcoin"}, "method"),
        ({"received_on": None}, "received_on"),
        ({"received_on": "tomorrow"}, "received_on"),
        ({"reference": ""}, "reference"),
        ({"reference": "x" * 101}, "reference"),
    ],
)
def test_bad_payments_are_refused_and_nothing_is_written(world, values, field):
    body = {
        "amount": "10.00",
        "method": "bank_transfer",
        "reference": "ICBC-1",
        "received_on": TODAY(),
        **values,
    }
    if body["received_on"] == "tomorrow":
        body["received_on"] = TODAY() + dt.timedelta(days=1)
    with pytest.raises(ValidationFailed) as error:
        services.record_payment(world.customer, by=world.finance, **body)
    assert field in error.value.fields
    assert Payment.objects.count() == 0


def test_cash_needs_no_reference_and_sales_cannot_record(world):
    services.record_payment(
        world.customer, amount="5", method="cash", received_on=TODAY(), by=world.finance
    )
    with pytest.raises(NotAllowed):
        paid(world.customer, "5", world.sales)


def test_allocation_part_payment_and_overpayment(world, invoice):
    payment = paid(world.customer, "2000.00", world.finance)
    allocation = services.allocate(payment, invoice, "100.00", by=world.finance)
    invoice.refresh_from_db()
    payment.refresh_from_db()
    assert invoice.open_amount == invoice.gross_amount - Decimal("100.00")
    assert payment.unallocated_amount == Decimal("1900.00")
    assert allocation.active
    with pytest.raises(ValidationFailed) as error:
        services.allocate(payment, invoice, str(invoice.open_amount + 1), by=world.finance)
    assert error.value.code == "over_allocation"
    services.allocate(payment, invoice, invoice.open_amount, by=world.finance)
    invoice.refresh_from_db()
    payment.refresh_from_db()
    assert invoice.open_amount == 0
    assert payment.unallocated_amount == Decimal("2000.00") - invoice.gross_amount
    assert selectors.balance(world.customer) == invoice.gross_amount - Decimal("2000.00")
    assert selectors.unallocated_credit(world.customer) == payment.unallocated_amount


def test_allocating_more_than_the_payment_has_is_refused(world, invoice):
    payment = paid(world.customer, "50.00", world.finance)
    with pytest.raises(ValidationFailed) as error:
        services.allocate(payment, invoice, "50.01", by=world.finance)
    assert error.value.fields == {"amount": "More than the payment's unallocated amount."}
    assert Allocation.objects.count() == 0


def test_allocation_targets_must_match_and_be_open(world, order):
    draft = services.create_invoice(
        order,
        "ordinary",
        by=world.finance,
        lines=[{"order_line_id": order.lines.first().pk, "quantity": "1"}],
    )
    payment = paid(world.customer, "50.00", world.finance)
    with pytest.raises(InvalidTransition):
        services.allocate(payment, draft, "10", by=world.finance)
    stranger = make_customer(world.sales)
    other = paid(stranger, "50.00", world.finance)
    services.issue_invoice(draft, by=world.finance)
    with pytest.raises(ValidationFailed) as error:
        services.allocate(other, draft, "10", by=world.finance)
    assert error.value.code == "customer_mismatch"
    with pytest.raises(ValidationFailed):
        services.allocate(payment, draft, "0", by=world.finance)
    with pytest.raises(NotAllowed):
        services.allocate(payment, draft, "10", by=world.sales)


def test_reversal_returns_the_money_to_the_payment(world, invoice):
    payment = paid(world.customer, "300.00", world.finance)
    allocation = services.allocate(payment, invoice, "300.00", by=world.finance)
    with pytest.raises(ValidationFailed):
        services.reverse_allocation(allocation, reason="", by=world.finance)
    services.reverse_allocation(allocation, reason="付款人错误", by=world.finance)
    allocation.refresh_from_db()
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert allocation.reversed_at is not None
    assert allocation.reverse_reason == "付款人错误"
    assert payment.allocated_amount == 0
    assert invoice.allocated_amount == 0
    with pytest.raises(InvalidTransition):
        services.reverse_allocation(allocation, reason="again", by=world.finance)


def test_deposit_requests_by_percent_amount_or_the_orders_terms(world):
    order = make_released_order(world)
    by_percent = services.request_deposit(order, by=world.finance, percent="30")
    assert by_percent.amount == (order.total_amount * Decimal("0.3")).quantize(Decimal("0.01"))
    assert by_percent.due_on == TODAY() + dt.timedelta(days=7)
    with pytest.raises(ValidationFailed) as error:
        services.request_deposit(order, by=world.finance, amount=str(order.total_amount))
    assert error.value.code == "deposit_exceeds_total"
    by_amount = services.request_deposit(
        order, by=world.finance, amount="100.50", due_on=TODAY() + dt.timedelta(days=3)
    )
    assert by_amount.amount == Decimal("100.50")
    with pytest.raises(ValidationFailed):
        services.request_deposit(order, by=world.finance)  # order asks for none
    for bad in ({"percent": "0"}, {"percent": "101"}, {"amount": "1.001"}, {"amount": "-1"}):
        with pytest.raises(ValidationFailed):
            services.request_deposit(order, by=world.finance, **bad)
    with pytest.raises(ValidationFailed):
        services.request_deposit(order, by=world.finance, percent="10", amount="10")
    with pytest.raises(ValidationFailed):
        services.request_deposit(
            order, by=world.finance, percent="10", due_on=TODAY() - dt.timedelta(days=1)
        )
    assert DepositRequest.objects.count() == 2
    with pytest.raises(InvalidTransition):
        services.request_deposit(make_order(world), by=world.finance, percent="30")


def test_a_paid_deposit_shows_as_received(world):
    order = make_released_order(world)
    request = services.request_deposit(order, by=world.finance, percent="30")
    payment = paid(world.customer, "10000.00", world.finance)
    assert selectors.deposit_received(order) == 0
    services.allocate(payment, request, request.amount, by=world.finance)
    assert selectors.deposit_received(order) == request.amount
    request.refresh_from_db()
    assert request.open_amount == 0


def test_auto_allocation_takes_the_oldest_due_first(world, order):
    line1, line2 = order.lines.order_by("line_no")
    first = issued(order, world.finance, lines=[{"order_line_id": line1.pk, "quantity": 2}])
    second = issued(order, world.finance, lines=[{"order_line_id": line2.pk, "quantity": 5}])
    Invoice.objects.filter(pk=first.pk).update(due_on=TODAY() - dt.timedelta(days=10))
    other = make_released_order(world)
    deposit = services.request_deposit(
        other, by=world.finance, amount="50.00", due_on=TODAY() + dt.timedelta(days=60)
    )
    payment = paid(world.customer, "300.00", world.finance)
    made = services.auto_allocate(payment, by=world.finance)
    assert [a.invoice_id or a.deposit_request_id for a in made] == [first.pk, second.pk]
    assert made[0].amount == Decimal("226.00")
    assert made[1].amount == Decimal("74.00")
    assert services.auto_allocate(payment, by=world.finance) == []
    extra = paid(world.customer, "1000.00", world.finance)
    made = services.auto_allocate(extra, by=world.finance)
    assert [(a.invoice_id, a.deposit_request_id) for a in made] == [
        (second.pk, None),
        (None, deposit.pk),
    ]
    extra.refresh_from_db()
    assert extra.unallocated_amount == Decimal("1000.00") - Decimal("491.00") - Decimal("50.00")


def test_account_aging_and_exposure(world, order, invoice):
    today = TODAY()
    Invoice.objects.filter(pk=invoice.pk).update(due_on=today - dt.timedelta(days=45))
    payment = paid(world.customer, "100.00", world.finance)
    services.allocate(payment, invoice, "100.00", by=world.finance)
    open_amount = invoice.gross_amount - Decimal("100.00")
    report = selectors.aging(on=today)
    assert report["total"]["d31_60"] == open_amount
    assert report["total"]["total"] == open_amount
    assert report["customers"][0]["customer_id"] == world.customer.pk
    later = selectors.aging(on=today + dt.timedelta(days=50))
    assert later["total"]["over_90"] == open_amount
    assert selectors.aging(on=today - dt.timedelta(days=45))["total"]["not_due"] == open_amount
    assert selectors.aging(on=today - dt.timedelta(days=44))["total"]["d1_30"] == open_amount
    uninvoiced = make_released_order(world)
    account = selectors.account(world.customer)
    assert account["balance"] == invoice.gross_amount - Decimal("100.00")
    assert account["open_items"][0]["days_overdue"] == 45
    assert account["exposure"] == open_amount + uninvoiced.total_amount
    assert selectors.aging(on=today, user=world.sales)["total"]["total"] == open_amount
    outsider = make_customer(world.manager)
    assert selectors.aging(on=today, customer=outsider)["customers"] == []
